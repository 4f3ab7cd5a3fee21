import { isWeekend, dayNumberIso } from './days';
import { between, hexId, intBetween, pickWeighted, shuffled, STREAM, streamRng } from './random';
import type { SimUser } from './roster';

export type AnomalyKind = 'spike' | 'level_shift' | 'ramp' | 'model_shift' | 'runaway_agent' | 'team_jump';

/** An anomaly the generator injects on purpose. Days are day numbers; endDay null = still going on. */
export interface PlannedAnomaly {
  index: number;
  id: string;
  kind: AnomalyKind;
  scope: 'user' | 'team';
  /** The one user of a user anomaly; every affected user of a team anomaly. */
  users: number[];
  startDay: number;
  endDay: number | null;
  /** Deliberately small (expected < $20 of extra cost). */
  small: boolean;
  /** Volume multiplier (spike, level_shift) or the final one of a ramp. */
  multiplier: number;
  rampDays: number;
  /** Share of non-premium calls moved to the premium model (model_shift). */
  premiumShare: number;
  /** Headless agent calls a day (runaway_agent). */
  runawayPerDay: number;
  /** Price multiplier on mid-tier models (team_jump). */
  priceMultiplier: number;
  cloudAgentId: string | null;
  serviceAccount: { id: string; name: string } | null;
  description: string;
}

/** How the anomalies active on one user-day change the generation. */
export interface DayEffects {
  extras: ExtraBatch[];
  premiumShift: number;
  midPriceMultiplier: number;
}
export interface ExtraBatch {
  anomaly: number;
  style: 'normal' | 'premium' | 'runaway';
  /** normal/premium: extra events = user's rate × (multiplier − 1); runaway: events a day. */
  multiplier: number;
  runawayPerDay: number;
  cloudAgentId: string | null;
  serviceAccount: { id: string; name: string } | null;
}

export const NO_EFFECTS: DayEffects = { extras: [], premiumShift: 0, midPriceMultiplier: 1 };

/** Detectors need a baseline: nothing starts in the first 21 days of history. */
export const BASELINE_DAYS = 21;
const USER_KINDS: AnomalyKind[] = ['spike', 'level_shift', 'ramp', 'model_shift', 'runaway_agent'];
const USER_KIND_WEIGHTS = [0.3, 0.2, 0.15, 0.2, 0.15];

/**
 * About one anomaly per 12 developers over 90 days, at least 7 so that every kind appears once (the team jump
 * exactly once) plus one deliberately small spike; beyond those ~15% are small. Users are drawn without
 * replacement from members present for the whole history, big anomalies from typical/heavy users.
 */
export function planAnomalies(
  seed: number,
  users: SimUser[],
  historyStartDay: number,
  historyDays: number,
): PlannedAnomaly[] {
  if (historyDays < BASELINE_DAYS + 2 || users.length === 0) return [];
  const rng = streamRng(seed, STREAM.anomalyPlan);
  const stayers = users.filter((u) => u.joinedDay < historyStartDay && u.leftDay === null);
  const eligible = stayers.length > 0 ? stayers : users;
  const bigPool = shuffled(
    rng,
    eligible.filter((u) => u.tier !== 'light'),
  );
  const lightPool = shuffled(
    rng,
    eligible.filter((u) => u.tier === 'light'),
  );
  const fallback = shuffled(rng, eligible);
  let fallbackNext = 0;
  const takeUser = (small: boolean): number => {
    const first = small ? lightPool : bigPool;
    const second = small ? bigPool : lightPool;
    const u = first.pop() ?? second.pop() ?? fallback[fallbackNext++ % fallback.length];
    return u.idx;
  };

  const count = Math.max(7, Math.round((users.length * historyDays) / (12 * 90)));
  const anomalies: PlannedAnomaly[] = [];
  const startIn = (tailDays: number): number => {
    const last = Math.max(BASELINE_DAYS, historyDays - tailDays);
    return historyStartDay + intBetween(rng, BASELINE_DAYS, last);
  };
  // Spikes and runaways land on workdays (a spike on a quiet Sunday is a different story).
  const workdayFrom = (day: number): number => {
    let d = day;
    while (isWeekend(d)) d++;
    if (d >= historyStartDay + historyDays) for (d = day; isWeekend(d) && d > historyStartDay + BASELINE_DAYS;) d--;
    return d;
  };
  for (let index = 0; index < count; index++) {
    let kind: AnomalyKind;
    let small = false;
    if (index < 6)
      kind = (['spike', 'level_shift', 'ramp', 'model_shift', 'runaway_agent', 'team_jump'] as const)[index];
    else if (index === 6 || rng() < 0.15) {
      small = true;
      kind = rng() < 0.6 ? 'spike' : 'runaway_agent';
    } else kind = USER_KINDS[pickWeighted(rng, USER_KIND_WEIGHTS)];

    const base: PlannedAnomaly = {
      index,
      id: `sim-${String(index + 1).padStart(4, '0')}-${kind}`,
      kind,
      scope: kind === 'team_jump' ? 'team' : 'user',
      users: [],
      startDay: 0,
      endDay: null,
      small,
      multiplier: 1,
      rampDays: 0,
      premiumShare: 0,
      runawayPerDay: 0,
      priceMultiplier: 1,
      cloudAgentId: null,
      serviceAccount: null,
      description: '',
    };
    switch (kind) {
      case 'spike':
        base.users = [takeUser(small)];
        base.startDay = workdayFrom(startIn(1));
        base.endDay = base.startDay;
        base.multiplier = small ? between(rng, 2.5, 3.5) : between(rng, 6, 10);
        base.description = `One-day spike: ${base.multiplier.toFixed(1)}× the usual volume${small ? '' : ', leaning on premium models and max mode'}`;
        break;
      case 'level_shift':
        base.users = [takeUser(small)];
        base.startDay = startIn(10);
        base.multiplier = between(rng, 2, 3);
        base.description = `Sustained level shift: volume ×${base.multiplier.toFixed(1)} from ${dayNumberIso(base.startDay)} on`;
        break;
      case 'ramp':
        base.users = [takeUser(small)];
        base.startDay = startIn(14);
        base.rampDays = intBetween(rng, 10, 20);
        base.multiplier = between(rng, 3, 5);
        base.description = `Slow ramp: volume climbs to ×${base.multiplier.toFixed(1)} over ${base.rampDays} days from ${dayNumberIso(base.startDay)}`;
        break;
      case 'model_shift':
        base.users = [takeUser(small)];
        base.startDay = startIn(7);
        base.premiumShare = between(rng, 0.45, 0.7);
        base.description = `Model shift at flat volume: ${Math.round(base.premiumShare * 100)}% of calls move to claude-4.1-opus`;
        break;
      case 'runaway_agent': {
        base.users = [takeUser(small)];
        base.startDay = workdayFrom(startIn(2));
        const days = small ? 1 : intBetween(rng, 1, 3);
        base.endDay = base.startDay + days - 1;
        base.runawayPerDay = small ? between(rng, 15, 40) : between(rng, 400, 1500);
        base.cloudAgentId = `bc-${hexId(24, seed, STREAM.ids, 9000 + index)}`;
        base.serviceAccount =
          rng() < 0.5 ? { id: `sa_${hexId(16, seed, STREAM.ids, 9500 + index)}`, name: `ci-agent-${index + 1}` } : null;
        base.description = `Runaway headless agent ${base.cloudAgentId}: ~${Math.round(base.runawayPerDay)} calls a day for ${days} day(s), mostly max mode`;
        break;
      }
      case 'team_jump': {
        const share = between(rng, 0.6, 0.85);
        base.users = users.filter((u) => streamRng(seed, STREAM.anomalyPlan, 77, u.idx)() < share).map((u) => u.idx);
        base.startDay =
          historyStartDay +
          intBetween(rng, Math.max(BASELINE_DAYS, historyDays - 40), Math.max(BASELINE_DAYS, historyDays - 7));
        base.priceMultiplier = between(rng, 1.5, 2);
        base.description = `Team-wide jump: new default model pricing, mid-tier models ×${base.priceMultiplier.toFixed(2)} for ${base.users.length} users`;
        break;
      }
    }
    if (base.users.length > 0) anomalies.push(base);
  }
  return anomalies;
}

const activeOn = (a: PlannedAnomaly, day: number): boolean =>
  day >= a.startDay && (a.endDay === null || day <= a.endDay);

/** The combined effect of the given anomalies on one day (the caller passes only those touching the user). */
export function effectsOn(anomalies: readonly PlannedAnomaly[], day: number): DayEffects {
  let effects: DayEffects | null = null;
  for (const a of anomalies) {
    if (!activeOn(a, day)) continue;
    effects ??= { extras: [], premiumShift: 0, midPriceMultiplier: 1 };
    const batch = (style: ExtraBatch['style'], multiplier: number): ExtraBatch => ({
      anomaly: a.index,
      style,
      multiplier,
      runawayPerDay: a.runawayPerDay,
      cloudAgentId: a.cloudAgentId,
      serviceAccount: a.serviceAccount,
    });
    switch (a.kind) {
      case 'spike':
        effects.extras.push(batch(a.small ? 'normal' : 'premium', a.multiplier));
        break;
      case 'level_shift':
        effects.extras.push(batch('normal', a.multiplier));
        break;
      case 'ramp': {
        const progress = Math.min(1, (day - a.startDay + 1) / a.rampDays);
        effects.extras.push(batch('normal', 1 + (a.multiplier - 1) * progress));
        break;
      }
      case 'model_shift':
        effects.premiumShift = Math.max(effects.premiumShift, a.premiumShare);
        break;
      case 'runaway_agent':
        effects.extras.push(batch('runaway', 1));
        break;
      case 'team_jump':
        effects.midPriceMultiplier *= a.priceMultiplier;
        break;
    }
  }
  return effects ?? NO_EFFECTS;
}
