import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import type { DetectionInput, MemberInfo } from '../../src/detection/input';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings';
import type { UserDay, UserModelDay } from '../../src/detection/types';

/** A tiny seeded PRNG (mulberry32) so fixtures are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A standard normal draw (Box–Muller) from `r`. */
export const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());

/** Cents per request by model: the premium one is ~12× the cheap one. */
export const MODEL_CENTS = { 'cheap-model': 3, 'mid-model': 8, 'premium-model': 40 } as const;
type Model = keyof typeof MODEL_CENTS;

/** What to change on one user-day (anomalies are injected through this). */
export interface DayTweak {
  volume?: number; // × the usual requests
  premiumShare?: number; // share of requests moved to the premium model
  headlessRequests?: number; // extra headless requests on the mid model
  priceFactor?: number; // × every model's price (a team-wide price change)
  active?: boolean; // force active or idle
}

export interface FixtureOptions {
  users: number;
  days: number;
  asOf: string;
  seed?: number;
  /** Median requests a workday per user (each user gets their own level around it). */
  requests?: number;
  tweak?: (email: string, day: string, userIndex: number) => DayTweak | undefined;
  firstDay?: (email: string, userIndex: number) => string | undefined;
}

export const emailOf = (i: number) => `dev${String(i).padStart(3, '0')}@example.com`;

/** A team with steady log-normal usage: busy workdays, a few people active on weekends. */
export function makeInput(o: FixtureOptions): DetectionInput {
  const r = rng(o.seed ?? 1);
  const userDays: UserDay[] = [];
  const userModelDays: UserModelDay[] = [];
  const members: MemberInfo[] = [];
  const start = addDays(o.asOf, -(o.days - 1));
  for (let i = 0; i < o.users; i++) {
    const email = emailOf(i);
    const level = (o.requests ?? 60) * Math.exp(0.6 * gauss(r));
    const weekendPerson = r() < 0.3;
    const first = o.firstDay?.(email, i) ?? start;
    members.push({ email, firstSeenDay: first, isRemoved: false });
    for (let d = 0; d < o.days; d++) {
      const day = addDays(start, d);
      const tw = o.tweak?.(email, day, i) ?? {};
      if (day < first) continue;
      const weekend = isWeekend(day);
      const roll = r();
      const noise = Math.exp(0.25 * gauss(r));
      let active = weekend ? weekendPerson && roll < 0.5 : roll < 0.93;
      if (tw.active !== undefined) active = tw.active;
      if (!active) continue;
      const requests = Math.max(1, Math.round(level * noise * (weekend ? 0.3 : 1) * (tw.volume ?? 1)));
      const premium = Math.min(0.95, 0.03 + (tw.premiumShare ?? 0));
      const split: Record<Model, number> = {
        'cheap-model': Math.round(requests * (1 - premium) * 0.6),
        'mid-model': Math.round(requests * (1 - premium) * 0.4),
        'premium-model': Math.round(requests * premium),
      };
      const headless = Math.round(tw.headlessRequests ?? 0);
      split['mid-model'] += headless;
      const price = tw.priceFactor ?? 1;
      const total: UserDay = {
        email,
        day,
        events: 0,
        requestsCosts: 0,
        chargedCents: 0,
        totalTokens: 0,
        maxModeEvents: 0,
        headlessEvents: headless,
        maxModeCents: 0,
        headlessCents: headless * MODEL_CENTS['mid-model'] * price,
      };
      for (const model of Object.keys(split) as Model[]) {
        const events = split[model];
        if (events === 0) continue;
        const cents = events * MODEL_CENTS[model] * price * Math.exp(0.05 * gauss(r));
        const tokens = events * 20_000;
        userModelDays.push({ email, day, model, events, chargedCents: cents, totalTokens: tokens });
        total.events += events;
        total.requestsCosts += events;
        total.chargedCents += cents;
        total.totalTokens += tokens;
      }
      userDays.push(total);
    }
  }
  return { asOf: o.asOf, userDays, userModelDays, members, cycleSpend: [] };
}

/** The input as it was on `day`: rows up to then. */
export function asOfDay(input: DetectionInput, day: string): DetectionInput {
  return {
    ...input,
    asOf: day,
    userDays: input.userDays.filter((r) => r.day <= day),
    userModelDays: input.userModelDays.filter((r) => r.day <= day),
  };
}

/** The first pass, one a day from `from` to `to`, that reports an anomaly of `who`'s, with its detector. */
export function firstAlert(
  input: DetectionInput,
  who: string,
  from: string,
  to: string,
  settings: Settings = DEFAULT_SETTINGS,
): { asOf: string; detector: string } | null {
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const a = detect(asOfDay(input, day), settings).find((x) => x.scope === 'user' && x.subject === who);
    if (a) return { asOf: day, detector: a.detector };
  }
  return null;
}

/**
 * 20 developers over 100 days whose every day is × e^(sigma·N(0,1)) on top of the fixture's ±25%, nothing changing
 * over time; `day` adjusts a user-day given that volume (default: the volume alone); `requests` is the median
 * developer's workday.
 */
export function noisyTeam(
  seed: number,
  asOf: string,
  sigma: number,
  day: (email: string, date: string, volume: number) => DayTweak = (_e, _d, volume) => ({ volume }),
  requests = 150,
): DetectionInput {
  const noise = rng(seed * 7919);
  const volume = new Map<string, number>();
  return makeInput({
    users: 20,
    days: 100,
    asOf,
    seed,
    requests,
    tweak: (email, date) => {
      const key = `${email}|${date}`;
      if (!volume.has(key)) volume.set(key, Math.exp(sigma * gauss(noise)));
      return day(email, date, volume.get(key)!);
    },
  });
}

/** The model-shift tests' developer (premiumUserTeam). */
export const PREMIUM_USER = emailOf(5);

/**
 * A team of 20 at about $20 a workday each over 70 days to `asOf`, where PREMIUM_USER spends 15% of their requests
 * on the premium model (about 59% of their spend) and `mix` sets each of their days ({ premiumShare: 0.72 } is 96% of
 * their spend at × 3 the cost); `others` sets the other developers' days.
 */
export function premiumUserTeam(
  seed: number,
  asOf: string,
  mix: (day: string) => DayTweak | undefined,
  others?: FixtureOptions['tweak'],
): DetectionInput {
  return makeInput({
    users: 20,
    days: 70,
    asOf,
    seed,
    requests: 200,
    tweak: (email, day, i) => (email === PREMIUM_USER ? (mix(day) ?? { premiumShare: 0.12 }) : others?.(email, day, i)),
  });
}

/**
 * 12 developers over `days` days to `asOf`; one of them (emailOf(4)) runs a headless agent over the last three days,
 * so a pass has something to find. With the team's rows before a day, and from a day on (as a collection since then
 * would add them: no members or cycle spend again).
 */
export function headlessAgentTeam(asOf: string, days: number) {
  const all = makeInput({
    users: 12,
    days,
    asOf,
    seed: 5,
    requests: 60,
    tweak: (email, day) =>
      email === emailOf(4) && day >= addDays(asOf, -2) ? { headlessRequests: 900, active: true } : undefined,
  });
  const before = (day: string): DetectionInput => ({
    ...all,
    userDays: all.userDays.filter((r) => r.day < day),
    userModelDays: all.userModelDays.filter((r) => r.day < day),
  });
  const from = (day: string): DetectionInput => ({
    ...all,
    members: [],
    cycleSpend: [],
    userDays: all.userDays.filter((r) => r.day >= day),
    userModelDays: all.userModelDays.filter((r) => r.day >= day),
  });
  return { all, before, from };
}

/** The team anomalies of the replayed days from..to (inclusive): the day, the onset reported, and a step's stepAfter. */
export function teamReplay(input: DetectionInput, from: string, to: string, settings = DEFAULT_SETTINGS) {
  const out: { day: string; onset: string; stepAfter?: string }[] = [];
  for (let day = from; day <= to; day = addDays(day, 1))
    for (const a of detect(asOfDay(input, day), settings))
      if (a.scope === 'team')
        out.push({
          day,
          onset: a.onsetAt.slice(0, 10),
          ...(a.why.stepAfter === undefined ? {} : { stepAfter: a.why.stepAfter }),
        });
  return out;
}
