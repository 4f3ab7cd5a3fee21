/**
 * Teams for the detection benchmark, generated straight as daily rollup rows (the rows detection reads), with shapes
 * the event simulator (simulator/, the workspace) does not produce: power users, part-timers, joiners and leavers, vacations,
 * team holidays, weekend-heavy teams, several team-wide events and anomalies right after the start of history.
 * Written independently of the simulator so that a benchmark tuned on one cannot be fooled by the other. Every
 * anomaly's extra cost is exact: each user-day is drawn first without anomalies, then the anomaly is applied.
 */
import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import type { DetectionInput, MemberInfo } from '../../src/detection/input';
import type { UserDay, UserModelDay } from '../../src/detection/types';
import type { TruthAnomaly } from '../evaluation/score';

export interface TeamShape {
  name: string;
  set:
    | 'tuning'
    | 'held-out'
    | 'fresh'
    | 'unseen'
    | 'busy'
    | 'busy-held-out'
    | 'mix'
    | 'mix-held-out'
    | 'backfill'
    | 'autocorr'
    | 'autocorr-held-out'
    | 'shared'
    | 'shared-held-out';
  seed: number;
  size: number;
  /** Days of history, the last one being `lastDay`. */
  historyDays: number;
  lastDay: string;
  /** The first replayed day (index into the history): detection starts judging after this many days. */
  replayFrom: number;
  powerShare: number; // heavy, steady users ($15–$80 a workday)
  partTimeShare: number; // active on two or three fixed workdays a week
  joinerShare: number; // first active inside the history
  leaverShare: number; // stop inside the history
  weekendActive: number; // chance a user works a weekend day
  weekendVolume: number; // weekend spend relative to a workday
  holidays: number; // team-wide days off (most people idle)
  vacationShare: number; // users with a 5–12 day vacation inside the history
  teamEvents: number; // team-wide price jumps (different starts, lengths)
  earlyAnomalies: number; // anomalies starting within 3 days of replayFrom
  anomaliesPer100: number; // user anomalies per 100 developers over the history
  /**
   * Share of a developer's days that are busy days, at 2 to 4 times their usual spend: ordinary work (a deadline, a
   * long agent session), not an anomaly, and far more common than the log-normal noise has days that high. Real
   * spend is likely burstier than log-normal; how the engine holds on such days is what these teams ask.
   */
  busyDayShare?: number;
  /**
   * Share of a developer's days on expensive models far more than usual: that day's share of requests on the premium
   * model drawn between 30% and 70% (a hard problem, a pricier model tried for a day), as ordinary work, not an
   * anomaly. The other teams' developers keep one share of premium requests every day, so a rule that reads the model
   * mix could not show its false alerts on them; these teams can.
   */
  mixDayShare?: number;
  /**
   * Days of history before replayFrom the input holds, the older ones dropped as a shorter first backfill never
   * collected them (all when unset). The team, its anomalies and its noise are the same whatever this is: a team
   * and its twin with a longer backfill differ only by what detection could read.
   */
  backfillDays?: number;
  /**
   * Correlation of a developer's day-to-day log noise with the day before (0..1; 0 when unset): an AR(1) over calendar
   * days with the same spread (dev.sigma), so a good or a bad stretch lasts a few days (a hard project, a quiet week).
   * Every other team draws each day's noise on its own, which real spend likely does not; a test that sums several
   * days' evidence as if they were independent would see drifts in ordinary stretches, and only these teams can show it.
   * It reshapes the same draws: a team and its twin without it have the same developers, anomalies and working days.
   */
  noiseCorrelation?: number;
  /**
   * A day factor every developer shares, exp(sd · s) with s an AR(1) over calendar days (correlation rho with the day
   * before): the whole team's spend moves together for a few days (a release week, a quiet week, a slow day for the
   * tool), unlabelled. Every other team's developers vary on their own, so the team level has hardly any noise of its
   * own there; a team-wide test, and one that sums several days of it, is judged against such noise only here. Drawn
   * from a stream of its own: a team and its twin without it are otherwise the same.
   */
  sharedNoise?: { sd: number; rho: number };
}

export interface Scenario {
  shape: TeamShape;
  input: DetectionInput; // asOf = lastDay
  truth: TruthAnomaly[];
  firstDay: string;
  /** The generated developers (for bench/false-alerts.ts). */
  devs?: Dev[];
  /** The planned anomalies behind `truth`, with their parameters (for bench/detect-ceiling.ts's oracle). */
  plan?: PlannedAnomaly[];
}

/** The alert floor (minImpactDollars' default): the day an anomaly's extra reaches it is when it can be found. */
const WORTHY_CENTS = 2_000;

/** mulberry32: a small seeded PRNG (synthetic data, not cryptography). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
const between = (r: () => number, lo: number, hi: number) => lo + (hi - lo) * r();
const int = (r: () => number, lo: number, hi: number) => Math.floor(between(r, lo, hi + 1));
/** A busy day's factor on a developer's usual spend: 1 on other days. Two draws a day whenever the team has busy days. */
export function busyFactor(r: () => number, share: number | undefined): number {
  if (share === undefined) return 1;
  const roll = r();
  const factor = between(r, 2, 4);
  return roll < share ? factor : 1;
}

/** An AR(1) step: the day before's value carried with correlation rho, a fresh standard normal draw for the rest. */
const ar1 = (carried: number, drawn: number, rho: number) => rho * carried + Math.sqrt(1 - rho * rho) * drawn;

/** Each day's factor of shape.sharedNoise (1 every day without it). */
function sharedDayFactors(shape: TeamShape, days: number): number[] {
  if (!shape.sharedNoise) return new Array<number>(days).fill(1);
  const { sd, rho } = shape.sharedNoise;
  const r = prng(shape.seed ^ 0x165667b1);
  const factors: number[] = [];
  let carried = 0;
  for (let d = 0; d < days; d++) {
    const drawn = gauss(r);
    carried = d === 0 ? drawn : ar1(carried, drawn, rho);
    factors.push(Math.exp(sd * carried));
  }
  return factors;
}

/** A mix day's share of requests on the premium model: 0 on other days. Two draws a day whenever the team has mix days. */
export function mixDayPremium(r: () => number, share: number | undefined): number {
  if (share === undefined) return 0;
  const roll = r();
  const premium = between(r, 0.3, 0.7);
  return roll < share ? premium : 0;
}

/** Cents per request by model; premium is ~6× the team's average cost per request. */
const MODELS = { cheap: 2, mid: 6, premium: 40 } as const;
type Model = keyof typeof MODELS;

export interface Dev {
  email: string;
  base: number; // cents on a usual workday
  sigma: number; // day-to-day log noise
  workdayActive: number;
  weekdays: Set<number> | null; // part-timers: the only workdays they work
  weekendActive: number;
  premiumShare: number; // of requests
  headlessShare: number; // of requests
  joined: number; // first day index
  left: number | null; // first day index no longer active
  vacation: [number, number] | null;
}

type Kind = 'spike' | 'level_shift' | 'ramp' | 'model_shift' | 'runaway_agent' | 'team_jump';

export interface PlannedAnomaly {
  id: string;
  kind: Kind;
  users: number[]; // indices into Scenario.devs
  start: number;
  end: number; // inclusive day index
  factor: number; // spike/level: volume ×; ramp: the final ×; team_jump: price ×
  rampDays: number;
  premiumShare: number;
  runawayCents: number; // extra headless cents a day
}

function makeDevs(shape: TeamShape, r: () => number, days: number): Dev[] {
  const devs: Dev[] = [];
  for (let i = 0; i < shape.size; i++) {
    const power = r() < shape.powerShare;
    const light = !power && r() < 0.4;
    const base = power ? between(r, 1500, 8000) : light ? between(r, 30, 200) : between(r, 150, 900);
    const partTime = !power && r() < shape.partTimeShare;
    const joins = i > 0 && r() < shape.joinerShare;
    const leaves = !joins && r() < shape.leaverShare;
    const onVacation = r() < shape.vacationShare;
    const vStart = int(r, 5, days - 6);
    devs.push({
      email: `${shape.name.toLowerCase()}.dev${String(i).padStart(4, '0')}@example.org`,
      base,
      sigma: power ? between(r, 0.15, 0.35) : between(r, 0.25, 0.6),
      workdayActive: partTime ? 0.9 : between(r, 0.85, 0.97),
      weekdays: partTime ? new Set([1 + int(r, 0, 2), 3 + int(r, 0, 2)]) : null,
      weekendActive: Math.min(0.95, shape.weekendActive * between(r, 0.3, 1.7)),
      premiumShare: power ? between(r, 0.05, 0.2) : between(r, 0.01, 0.08),
      headlessShare: power ? between(r, 0.02, 0.1) : between(r, 0, 0.03),
      joined: joins ? int(r, 3, days - 5) : 0,
      left: leaves ? int(r, 10, days - 2) : null,
      vacation: onVacation ? [vStart, vStart + int(r, 5, 12)] : null,
    });
  }
  return devs;
}

function planAnomalies(shape: TeamShape, r: () => number, devs: Dev[], days: number): PlannedAnomaly[] {
  const out: PlannedAnomaly[] = [];
  const stayers = devs.map((d, i) => ({ d, i })).filter(({ d }) => d.joined === 0 && d.left === null);
  const pool = stayers.map(({ i }) => i).sort(() => r() - 0.5);
  const firstEval = shape.replayFrom;
  const workday = (d: number, firstDay: string) => {
    let x = d;
    while (x < days - 1 && isWeekend(addDays(firstDay, x))) x++;
    return x;
  };
  const firstDay = addDays(shape.lastDay, -(days - 1));
  const count = Math.max(6, Math.round((shape.size * shape.anomaliesPer100) / 100));
  const kinds: Kind[] = ['spike', 'level_shift', 'ramp', 'model_shift', 'runaway_agent'];
  for (let k = 0; k < count + shape.earlyAnomalies && pool.length > 0; k++) {
    const kind = k < kinds.length ? kinds[k] : kinds[int(r, 0, kinds.length - 1)];
    const early = k >= count;
    const small = !early && r() < 0.15;
    const user = pool.pop()!;
    const start = workday(early ? firstEval + int(r, 0, 3) : int(r, firstEval, days - 2), firstDay);
    const a: PlannedAnomaly = {
      id: `${shape.name}-${String(k + 1).padStart(3, '0')}-${kind}${early ? '-early' : ''}${small ? '-small' : ''}`,
      kind,
      users: [user],
      start,
      end: days - 1,
      factor: 1,
      rampDays: 0,
      premiumShare: 0,
      runawayCents: 0,
    };
    const base = devs[user].base;
    switch (kind) {
      case 'spike':
        a.end = start;
        // A spike worth $25–$150, or a small one (< $10)
        a.factor = small ? 1 + between(r, 200, 900) / base : 1 + between(r, 2500, 15000) / base;
        a.factor = Math.max(a.factor, small ? 1.5 : 3);
        break;
      case 'level_shift':
        a.end = Math.min(days - 1, start + int(r, 7, 40));
        a.factor = small ? 1.3 : between(r, 1.8, 3);
        break;
      case 'ramp':
        a.rampDays = int(r, 5, 14);
        a.factor = between(r, 3, 5);
        break;
      case 'model_shift':
        a.premiumShare = between(r, 0.45, 0.7);
        break;
      case 'runaway_agent':
        a.end = Math.min(days - 1, start + int(r, 0, 2));
        a.runawayCents = small ? between(r, 200, 600) : between(r, 3000, 20000);
        break;
      default:
        break;
    }
    out.push(a);
  }
  for (let e = 0; e < shape.teamEvents; e++) {
    // Team-wide price jumps on a share of the team, some lasting, some a few days (a trial of a pricier default).
    const share = between(r, 0.55, 0.9);
    const lasting = e === 0 || r() < 0.5;
    const span = days - firstEval;
    const start = workday(
      firstEval +
        int(r, Math.floor((e * span) / shape.teamEvents) + 2, Math.floor(((e + 1) * span) / shape.teamEvents) - 2),
      firstDay,
    );
    out.push({
      id: `${shape.name}-team-${e + 1}`,
      kind: 'team_jump',
      users: devs.map((_, i) => i).filter(() => r() < share),
      start,
      end: lasting ? days - 1 : Math.min(days - 1, start + int(r, 4, 9)),
      factor: between(r, 1.3, 1.8),
      rampDays: 0,
      premiumShare: 0,
      runawayCents: 0,
    });
  }
  return out;
}

/**
 * A team jump's extra on each of its days (YYYY-MM-DD → cents, from `priced`'s `${id}|${day index}`): what its price
 * alone added to its members' days, each day as generated (with the member's own anomalies, and another jump's price)
 * less the same day without this jump's price (extraCents shares a day's whole excess between the anomalies touching it
 * instead).
 */
function teamDailyExtra(a: PlannedAnomaly, priced: Map<string, number>, firstDay: string): Record<string, number> {
  const daily: Record<string, number> = {};
  for (let d = a.start; d <= a.end; d++) daily[addDays(firstDay, d)] = priced.get(`${a.id}|${d}`) ?? 0;
  return daily;
}

/** Generates one team: its rows, members and the labelled anomalies (with their exact extra cost). */
export function generateScenario(shape: TeamShape): Scenario {
  const r = prng(shape.seed);
  // Busy days come from a stream of their own: a busy team and its twin without them draw the same developers,
  // anomalies, working days and noise, and differ only by the busy days' factors.
  const busy = prng(shape.seed ^ 0x5bd1e995);
  const mixDays = prng(shape.seed ^ 0x27d4eb2f);
  const days = shape.historyDays;
  const firstDay = addDays(shape.lastDay, -(days - 1));
  const devs = makeDevs(shape, r, days);
  const planned = planAnomalies(shape, r, devs, days);
  const holidays = new Set<number>();
  for (let h = 0; h < shape.holidays; h++) holidays.add(int(r, 3, days - 2));
  const byUser = new Map<number, PlannedAnomaly[]>();
  for (const a of planned) for (const u of a.users) byUser.set(u, [...(byUser.get(u) ?? []), a]);
  const extra = new Map<string, number>();
  const worthy = new Map<string, number>(); // anomaly id → day index its extra reached $20
  const seen = new Map<string, number>(); // anomaly id → its first day with use (a developer away shows no change)
  const teamExtra = new Map<string, number>(); // `${id}|${day}` → the team's extra that day
  const priceExtra = new Map<string, number>(); // `${id}|${day}` → what the team jump's price alone added that day
  const userDays: UserDay[] = [];
  const userModelDays: UserModelDay[] = [];
  const rho = shape.noiseCorrelation ?? 0;
  const shared = sharedDayFactors(shape, days);

  for (let i = 0; i < devs.length; i++) {
    const dev = devs[i];
    const mine = byUser.get(i) ?? [];
    let carried = 0; // the AR(1) noise of the day before, in units of dev.sigma
    for (let d = 0; d < days; d++) {
      const day = addDays(firstDay, d);
      // Draw the same numbers whatever happens, so an anomaly never changes a user's other days.
      const roll = r();
      const drawn = gauss(r);
      carried = d === 0 || rho === 0 ? drawn : ar1(carried, drawn, rho);
      const noise = Math.exp(dev.sigma * carried) * busyFactor(busy, shape.busyDayShare) * shared[d];
      // The day's usual share of premium requests: the developer's own, or a mix day's when that is higher.
      const usualPremium = Math.max(dev.premiumShare, mixDayPremium(mixDays, shape.mixDayShare));
      const split = r();
      if (d < dev.joined || (dev.left !== null && d >= dev.left)) continue;
      if (dev.vacation && d >= dev.vacation[0] && d <= dev.vacation[1]) continue;
      const weekend = isWeekend(day);
      const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
      let active = weekend ? roll < dev.weekendActive : roll < dev.workdayActive;
      if (!weekend && dev.weekdays && !dev.weekdays.has(dow)) active = false;
      if (holidays.has(d) && roll > 0.05) active = false;
      const effects = mine.filter((a) => d >= a.start && d <= a.end);
      const forced = effects.some((a) => a.kind === 'spike' || a.kind === 'runaway_agent');
      if (!active && !forced) continue;
      const volume = (weekend ? shape.weekendVolume : 1) * noise;
      const baseRequests = Math.max(1, (dev.base * volume) / avgCost(dev.premiumShare));
      let requests = baseRequests;
      let premium = usualPremium;
      let price = 1;
      let runaway = 0;
      for (const a of effects) {
        if (a.kind === 'spike' || a.kind === 'level_shift') requests *= a.factor;
        else if (a.kind === 'ramp') requests *= 1 + (a.factor - 1) * Math.min(1, (d - a.start + 1) / a.rampDays);
        else if (a.kind === 'model_shift') premium = Math.max(premium, a.premiumShare);
        else if (a.kind === 'runaway_agent') runaway += a.runawayCents;
        else if (a.kind === 'team_jump') price *= a.factor;
      }
      const row = userDay(dev, day, requests, premium, price, runaway, split);
      userDays.push(row.day);
      userModelDays.push(...row.models);
      // A team jump's price alone: the same day, every other effect kept (another jump's price too), less this price.
      for (const jump of effects.filter((a) => a.kind === 'team_jump')) {
        const without = userDay(dev, day, requests, premium, price / jump.factor, runaway, split).day.chargedCents;
        priceExtra.set(`${jump.id}|${d}`, (priceExtra.get(`${jump.id}|${d}`) ?? 0) + row.day.chargedCents - without);
      }
      if (effects.length > 0) {
        const plain = active ? userDay(dev, day, baseRequests, usualPremium, 1, 0, split).day.chargedCents : 0;
        // Every anomaly touching this day shares its extra in proportion (overlaps are rare).
        const delta = row.day.chargedCents - plain;
        for (const a of effects) {
          // (developer by developer: a team event's first day of use is the earliest of any member's)
          seen.set(a.id, Math.min(seen.get(a.id) ?? d, d));
          const sum = (extra.get(a.id) ?? 0) + delta / effects.length;
          extra.set(a.id, sum);
          // Team events: the team's extra (summed over its members, in user order) is tracked per day below.
          if (a.kind !== 'team_jump' && sum >= WORTHY_CENTS && !worthy.has(a.id)) worthy.set(a.id, d);
          if (a.kind === 'team_jump') teamExtra.set(`${a.id}|${d}`, (teamExtra.get(`${a.id}|${d}`) ?? 0) + delta);
        }
      }
    }
  }
  for (const a of planned) {
    if (a.kind !== 'team_jump') continue;
    let sum = 0;
    for (let d = a.start; d <= a.end && !worthy.has(a.id); d++) {
      sum += teamExtra.get(`${a.id}|${d}`) ?? 0;
      if (sum >= WORTHY_CENTS) worthy.set(a.id, d);
    }
  }
  const truth: TruthAnomaly[] = planned.map((a) => ({
    id: a.id,
    scope: a.kind === 'team_jump' ? 'team' : 'user',
    email: a.kind === 'team_jump' ? null : devs[a.users[0]].email,
    emails: a.users.map((u) => devs[u].email),
    kind: a.kind,
    startDay: addDays(firstDay, a.start),
    endDay: addDays(firstDay, a.end),
    extraCents: Math.max(0, extra.get(a.id) ?? 0),
    ...(worthy.has(a.id) ? { worthyDay: addDays(firstDay, worthy.get(a.id)!) } : {}),
    ...(seen.has(a.id) ? { seenDay: addDays(firstDay, seen.get(a.id)!) } : {}),
    ...(a.kind === 'team_jump' ? { dailyExtraCents: teamDailyExtra(a, priceExtra, firstDay) } : {}),
  }));
  if (shape.backfillDays !== undefined) {
    const collected = addDays(firstDay, shape.replayFrom - shape.backfillDays);
    dropBefore(userDays, collected);
    dropBefore(userModelDays, collected);
  }
  // As load.ts derives it: the earlier of when the member list first showed them (the install day, or the day they
  // joined after it) and their first day of use in the backfilled history.
  const firstUse = new Map<string, string>();
  for (const row of userDays) if (!(firstUse.get(row.email)! <= row.day)) firstUse.set(row.email, row.day);
  const install = shape.replayFrom;
  const members: MemberInfo[] = devs.map((dev) => {
    const listed = addDays(firstDay, Math.max(install, dev.joined));
    const used = firstUse.get(dev.email);
    return { email: dev.email, firstSeenDay: used && used < listed ? used : listed, isRemoved: dev.left !== null };
  });
  userDays.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  userModelDays.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return {
    shape,
    input: { asOf: shape.lastDay, userDays, userModelDays, members, cycleSpend: [] },
    truth,
    firstDay,
    devs,
    plan: planned,
  };
}

/**
 * A developer's row on `day` with no anomaly of their own, at a given noise draw (`noise`, the generator's
 * exp(σ · gauss)) and model split (`split`, uniform 0..1), under a team jump's `price` (1 when none): what
 * generateScenario draws on an active day before it applies a developer's anomaly. For bench/detect-ceiling.ts's
 * oracle, which integrates it over the noise to know a developer's true usual day; the generator does not call it.
 */
export function usualDay(
  dev: Dev,
  day: string,
  weekendVolume: number,
  noise: number,
  split: number,
  price: number,
): { day: UserDay; models: UserModelDay[] } {
  const volume = (isWeekend(day) ? weekendVolume : 1) * noise;
  const requests = Math.max(1, (dev.base * volume) / avgCost(dev.premiumShare));
  return userDay(dev, day, requests, dev.premiumShare, price, 0, split);
}

const avgCost = (premiumShare: number) =>
  premiumShare * MODELS.premium + (1 - premiumShare) * (0.5 * MODELS.cheap + 0.5 * MODELS.mid);

function userDay(
  dev: Dev,
  day: string,
  requests: number,
  premiumShare: number,
  price: number,
  runawayCents: number,
  split: number,
): { day: UserDay; models: UserModelDay[] } {
  const cheapShare = 0.35 + 0.3 * split;
  const counts: Record<Model, number> = {
    cheap: (1 - premiumShare) * cheapShare * requests,
    mid: (1 - premiumShare) * (1 - cheapShare) * requests,
    premium: premiumShare * requests,
  };
  const runawayRequests = runawayCents / MODELS.mid;
  const models: UserModelDay[] = [];
  const row: UserDay = {
    email: dev.email,
    day,
    events: 0,
    requestsCosts: 0,
    chargedCents: 0,
    totalTokens: 0,
    maxModeEvents: 0,
    headlessEvents: Math.round(requests * dev.headlessShare + runawayRequests),
    maxModeCents: 0,
    headlessCents: requests * dev.headlessShare * MODELS.mid * price + runawayCents,
  };
  counts.mid += runawayRequests;
  for (const m of Object.keys(counts) as Model[]) {
    const events = counts[m];
    if (events <= 0) continue;
    // Cents stay exact (fractions of cents as Cursor sends them); requests are whole.
    const cents = events * MODELS[m] * (m === 'mid' ? price : 1);
    const n = Math.max(1, Math.round(events));
    models.push({
      email: dev.email,
      day,
      model: `${m}-model`,
      events: n,
      chargedCents: cents,
      totalTokens: n * 15_000,
    });
    row.events += n;
    row.requestsCosts += n;
    row.chargedCents += cents;
    row.totalTokens += n * 15_000;
  }
  return { day: row, models };
}

/** Rows (in day order) up to and including `day`. */
function upTo<T extends { day: string }>(rows: T[], day: string): T[] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].day <= day) lo = mid + 1;
    else hi = mid;
  }
  return rows.slice(0, lo);
}

/** Removes, in place, the rows of days before `day`. */
function dropBefore(rows: { day: string }[], day: string): void {
  let kept = 0;
  for (const row of rows) if (row.day >= day) rows[kept++] = row;
  rows.length = kept;
}

/** The team as a detection pass on `day` sees it: the rows up to that day and the members seen by then. */
export function inputAsOf(sc: Scenario, day: string): DetectionInput {
  return {
    asOf: day,
    userDays: upTo(sc.input.userDays, day),
    userModelDays: upTo(sc.input.userModelDays, day),
    members: sc.input.members.filter((m) => m.firstSeenDay === null || m.firstSeenDay <= day),
    cycleSpend: [],
  };
}
