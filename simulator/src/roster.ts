import { CHEAP_MODELS, MID_MODELS, MODEL_INDEX, MODELS } from './models';
import { base62Id, between, intBetween, pickWeighted, STREAM, streamRng, type Rng } from './random';

export type UsageTier = 'light' | 'typical' | 'heavy';

/** One simulated developer: who they are and how they use Cursor. */
export interface SimUser {
  idx: number;
  id: string;
  /** Daily usage rows carry a numeric user id (documented as a number). */
  numericId: number;
  email: string;
  name: string;
  role: 'owner' | 'member' | 'free-owner';
  tier: UsageTier;
  /** Mean events on an active workday. */
  rate: number;
  /** Probability of each model in MODELS. */
  modelWeights: number[];
  maxModeProb: number;
  /** Share of agent calls run headless (background / cloud agents). */
  headlessProb: number;
  /** Events cluster around this UTC time of day (ms), within the user's working hours. */
  centerMs: number;
  spreadMs: number;
  tabRate: number;
  language: string;
  /** How many client releases the user lags behind. */
  versionLag: number;
  joinedDay: number;
  leftDay: number | null;
  group: number;
  monthlyLimitDollars: number | null;
  hardLimitOverrideDollars: number;
}

const FIRST_NAMES = [
  'Alex',
  'Sam',
  'Jordan',
  'Taylor',
  'Morgan',
  'Casey',
  'Riley',
  'Jamie',
  'Avery',
  'Quinn',
  'Priya',
  'Wei',
  'Mateo',
  'Sofia',
  'Noah',
  'Emma',
  'Liam',
  'Olivia',
  'Aiko',
  'Kenji',
  'Fatima',
  'Omar',
  'Lena',
  'Jonas',
  'Chloe',
  'Lucas',
  'Maya',
  'Ravi',
  'Ines',
  'Tomás',
  'Hana',
  'Yusuf',
  'Nina',
  'Felix',
  'Zara',
  'Diego',
  'Elif',
  'Marta',
  'Ivan',
  'Grace',
  'Daniel',
  'Ana',
  'Kofi',
  'Amara',
  'Sven',
  'Freya',
  'Arjun',
  'Mei',
  'Pablo',
  'Clara',
];
const LAST_NAMES = [
  'Smith',
  'Chen',
  'Garcia',
  'Müller',
  'Kowalski',
  'Nguyen',
  'Patel',
  'Okafor',
  'Rossi',
  'Silva',
  'Kim',
  'Johansson',
  'Dubois',
  'Yamamoto',
  'Novak',
  'Haddad',
  'Brown',
  'Lopez',
  'Fischer',
  'Ivanova',
  'Singh',
  'Tanaka',
  'Moreau',
  'Costa',
  'Andersen',
  'Walker',
  'Ahmed',
  'Schmidt',
  'Park',
  'Reyes',
  'Bianchi',
  'Lindqvist',
  'Mensah',
  'Kaur',
  'Weber',
  'Sato',
  'Martin',
  'Horvat',
  'Nowak',
  'Evans',
];
const LANGUAGES = ['ts', 'tsx', 'py', 'go', 'java', 'rs', 'kt', 'rb'];
export const GROUP_NAMES = [
  'Platform',
  'Payments',
  'Mobile',
  'Data',
  'Infrastructure',
  'Web',
  'Machine Learning',
  'Security',
  'Growth',
  'Developer Experience',
];
export const EMAIL_DOMAIN = 'acme-corp.example';

const TIER_PROFILE: Record<
  UsageTier,
  { rate: [number, number]; cheap: number; premium: number; maxMode: [number, number]; headless: number }
> = {
  light: { rate: [5, 20], cheap: 0.35, premium: 0.01, maxMode: [0, 0.03], headless: 0 },
  typical: { rate: [20, 60], cheap: 0.3, premium: 0.07, maxMode: [0.02, 0.08], headless: 0.01 },
  heavy: { rate: [80, 250], cheap: 0.2, premium: 0.12, maxMode: [0.1, 0.3], headless: 0.05 },
};

function modelWeights(rng: Rng, tier: UsageTier): number[] {
  const p = TIER_PROFILE[tier];
  const cheap = p.cheap * between(rng, 0.6, 1.4);
  const premium = p.premium * between(rng, 0.5, 1.5);
  const mid = Math.max(0.05, 1 - cheap - premium);
  const weights = new Array<number>(MODELS.length).fill(0);
  const favourite = MID_MODELS[pickWeighted(rng, [0.55, 0.3, 0.15])];
  for (const m of MID_MODELS) weights[m] = mid * (m === favourite ? 0.7 : 0.15);
  weights[CHEAP_MODELS[0]] = cheap * 0.4;
  weights[CHEAP_MODELS[1]] = cheap * 0.6;
  weights[MODEL_INDEX.opus] = premium;
  return weights;
}

/**
 * The team, deterministic from the seed. Most members joined before the history starts; a few join during it
 * (joinedDay inside the history) and a few leave (leftDay, after which they are isRemoved but still listed).
 */
export function buildRoster(seed: number, teamSize: number, historyStartDay: number, anchorDay: number): SimUser[] {
  const users: SimUser[] = [];
  const emails = new Set<string>();
  const groupCount = Math.max(1, Math.min(GROUP_NAMES.length, Math.ceil(teamSize / 25)));
  const historyDays = anchorDay - historyStartDay;
  for (let idx = 0; idx < teamSize; idx++) {
    const rng = streamRng(seed, STREAM.roster, idx);
    const first = FIRST_NAMES[Math.floor(rng() * FIRST_NAMES.length)];
    const last = LAST_NAMES[Math.floor(rng() * LAST_NAMES.length)];
    const local = `${first}.${last}`
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z.]/g, '');
    let email = `${local}@${EMAIL_DOMAIN}`;
    for (let n = 2; emails.has(email); n++) email = `${local}${n}@${EMAIL_DOMAIN}`;
    emails.add(email);
    const tier: UsageTier = (['light', 'typical', 'heavy'] as const)[pickWeighted(rng, [0.35, 0.5, 0.15])];
    const profile = TIER_PROFILE[tier];
    const joinRoll = rng();
    const leaveRoll = rng();
    // Joiners and leavers only when there is room for them inside the history.
    const joins = idx > 0 && historyDays > 10 && joinRoll < 0.08;
    const joinedDay = joins
      ? historyStartDay + intBetween(rng, 1, historyDays - 3)
      : historyStartDay - intBetween(rng, 10, 700);
    const leaves = idx > 0 && !joins && historyDays > 10 && leaveRoll < 0.05;
    const leftDay = leaves ? historyStartDay + intBetween(rng, 5, historyDays - 1) : null;
    const limitRoll = rng();
    users.push({
      idx,
      id: `user_${base62Id(26, seed, STREAM.ids, idx)}`,
      numericId: 100_000 + idx,
      email,
      name: `${first} ${last}`,
      role: idx === 0 ? 'owner' : rng() < 0.03 ? 'owner' : 'member',
      tier,
      rate: between(rng, profile.rate[0], profile.rate[1]),
      modelWeights: modelWeights(rng, tier),
      maxModeProb: between(rng, profile.maxMode[0], profile.maxMode[1]),
      headlessProb: profile.headless,
      centerMs: between(rng, 9, 17) * 3_600_000,
      spreadMs: between(rng, 1.8, 3.2) * 3_600_000,
      tabRate: between(rng, 20, 200),
      language: LANGUAGES[Math.floor(rng() * LANGUAGES.length)],
      versionLag: pickWeighted(rng, [0.6, 0.3, 0.1]),
      joinedDay,
      leftDay,
      group: Math.floor(rng() * groupCount),
      monthlyLimitDollars: limitRoll < 0.7 ? null : [100, 200, 500][Math.floor(rng() * 3)],
      hardLimitOverrideDollars: rng() < 0.05 ? 1000 : 0,
    });
  }
  return users;
}

export const isMemberOn = (user: SimUser, day: number): boolean =>
  user.joinedDay <= day && (user.leftDay === null || day < user.leftDay);
