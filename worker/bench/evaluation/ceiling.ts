/**
 * An oracle ceiling for bench:detect's per-developer anomalies (bench/detect-ceiling.ts): the first day on which an
 * oracle that knows a developer's true usual day (level, model mix, the team jump's price, everything but the
 * anomaly under test and the day's noise draw) and their true day-to-day noise could call the anomaly, at the
 * engine's own evidence bars (src/detection/: rise.ts, alarm.ts, runaway.ts). What it cannot find in time at those
 * bars, no better estimation of a baseline could: only lower bars (more false alerts) could.
 *
 * Pure: the script builds each anomaly's days from the generator (bench/scenarios/team.ts) and the engine's replay.
 */
import { daysBetween } from '@cursor-cost-watch/contract';
import { LOG_OFFSET } from '../../src/detection/baseline';
import { LARGE_SPIKE_MULTIPLE, LARGE_SPIKE_Z } from '../../src/detection/alarm';
import { DRIFT_MAX_DAYS, DRIFT_Z, endsWindow, type QuietDays } from '../../src/detection/rise';
import { HEADLESS_BURST_FACTOR, HEADLESS_SHARE_OF_EXCESS } from '../../src/detection/runaway';
import { MAX_IDLE_GAP, Z_CAP } from '../../src/detection/scan-types';
import { median } from '../../src/detection/stats';
import type { Settings } from '../../src/settings/schema';

/** A developer's true usual day of one class (workday or weekend, at one team-jump price): what the oracle knows. */
export interface UsualLevel {
  /** Mean of ln(cents + LOG_OFFSET) over the noise: the engine's log spend (baseline.ts logSpend) at its centre. */
  center: number;
  /** Standard deviation of ln(cents + LOG_OFFSET) over the noise: the true scale of the day's log ratio. */
  sigma: number;
  /** exp(center) − LOG_OFFSET: the usual day in cents (the engine's `expected`). */
  expected: number;
  /** Mean requests on such a day. */
  events: number;
  /** Share of the spend on premium models (a ratio of means, as why.ts's premiumShareBefore is a ratio of sums). */
  premiumShare: number;
  /** Median headless cents (runaway.ts's usualHeadless takes the median over the baseline window's days). */
  headless: number;
}

/** One day the generator could draw: its cents, requests and premium-model cents. */
export interface DrawnDay {
  cents: number;
  events: number;
  premiumCents: number;
  headlessCents: number;
}

/** Points of the quadrature over the standard normal noise draw (a grid over ±6σ) and over the uniform split. */
const NOISE_POINTS = 121;
const SPLIT_POINTS = 16;

/**
 * A developer's true usual day: the moments of ln(cents + LOG_OFFSET) over the generator's noise, by quadrature.
 * `draw(noise, split)` is the day at a noise multiplier exp(σ·g) (g standard normal) and a model split (uniform
 * 0..1). Log spend is taken with the engine's $1 offset, so a light developer's σ on it is well under the σ of
 * their spend (30 cents a day at σ 0.5 moves ln(cents + 100) by about 0.12): the engine's scale estimates this,
 * and so does the oracle.
 */
export function usualLevel(draw: (noise: number, split: number) => DrawnDay, sigma: number): UsualLevel {
  let w = 0;
  let m1 = 0;
  let m2 = 0;
  let events = 0;
  let cents = 0;
  let premium = 0;
  for (let i = 0; i < NOISE_POINTS; i++) {
    const g = -6 + (12 * i) / (NOISE_POINTS - 1);
    const pg = Math.exp(-0.5 * g * g);
    for (let j = 0; j < SPLIT_POINTS; j++) {
      const day = draw(Math.exp(sigma * g), (j + 0.5) / SPLIT_POINTS);
      const l = Math.log(day.cents + LOG_OFFSET);
      w += pg;
      m1 += pg * l;
      m2 += pg * l * l;
      events += pg * day.events;
      cents += pg * day.cents;
      premium += pg * day.premiumCents;
    }
  }
  const center = m1 / w;
  return {
    center,
    sigma: Math.sqrt(Math.max(0, m2 / w - center * center)),
    expected: Math.max(0, Math.exp(center) - LOG_OFFSET),
    events: events / w,
    premiumShare: cents > 0 ? premium / cents : 0,
    // Headless spend rises with the noise draw: its median is at the median draw.
    headless: draw(1, 0.5).headlessCents,
  };
}

/** An active day of the developer from the anomaly's start, with what the oracle knows of their usual such day. */
export interface OracleDay {
  day: string;
  cents: number;
  events: number;
  headlessCents: number;
  premiumCents: number;
  /** Idle workdays between the previous active day of the list (or the anomaly's start) and this one. */
  idleWorkdaysBefore: number;
  usual: UsualLevel;
}

/** The engine's bars the oracle is held to (DEFAULT_SETTINGS and the scan's constants). */
export interface OracleBars {
  minImpactCents: number; // settings.minImpactDollars × 100
  onsetZ: number; // settings.onsetZ: the reference z; a day under it is "below"
  elevatedZ: number; // settings.elevatedZ: a non-cost path's z (day.elevated, or a new mix's run: onMixRun)
  spikeZ: number; // settings.spikeZThreshold
  spikeMultiplier: number; // settings.spikeMultiplier
  largeSpikeZ: number; // alarm.ts LARGE_SPIKE_Z
  largeSpikeMultiple: number; // alarm.ts LARGE_SPIKE_MULTIPLE
  zCap: number; // scan-types.ts Z_CAP
  driftZ: number; // rise.ts DRIFT_Z
  driftMaxDays: number; // rise.ts DRIFT_MAX_DAYS
  maxIdleGap: number; // scan-types.ts MAX_IDLE_GAP
  headlessBurstFactor: number; // runaway.ts HEADLESS_BURST_FACTOR
  headlessShareOfExcess: number; // runaway.ts HEADLESS_SHARE_OF_EXCESS
  runawayMinHeadlessShare: number; // settings.runawayMinHeadlessShare
  runawayMinVolumeFactor: number; // settings.runawayMinVolumeFactor
  modelShiftMinShareAfter: number; // settings.modelShiftMinShareAfter
  modelShiftMinShareRise: number; // settings.modelShiftMinShareRise
}

export function oracleBars(settings: Settings): OracleBars {
  return {
    minImpactCents: settings.minImpactDollars * 100,
    onsetZ: settings.onsetZ,
    elevatedZ: settings.elevatedZ,
    spikeZ: settings.spikeZThreshold,
    spikeMultiplier: settings.spikeMultiplier,
    largeSpikeZ: LARGE_SPIKE_Z,
    largeSpikeMultiple: LARGE_SPIKE_MULTIPLE,
    zCap: Z_CAP,
    driftZ: DRIFT_Z,
    driftMaxDays: DRIFT_MAX_DAYS,
    maxIdleGap: MAX_IDLE_GAP,
    headlessBurstFactor: HEADLESS_BURST_FACTOR,
    headlessShareOfExcess: HEADLESS_SHARE_OF_EXCESS,
    runawayMinHeadlessShare: settings.runawayMinHeadlessShare,
    runawayMinVolumeFactor: settings.runawayMinVolumeFactor,
    modelShiftMinShareAfter: settings.modelShiftMinShareAfter,
    modelShiftMinShareRise: settings.modelShiftMinShareRise,
  };
}

export type OraclePath = 'spike' | 'large_spike' | 'drift' | 'headless_burst' | 'runaway' | 'model';

export interface OracleFind {
  index: number; // into the days given
  day: string;
  path: OraclePath;
  z: number; // the day's z
  /** The drift window's Σ min(z, Z_CAP) / √k (drift only). */
  evidence?: number;
  /** Cents above the usual day since the onset (the largest over onsets from the anomaly's start). */
  impact: number;
}

/** The day's z against the developer's true usual day: ln((cents + $1) / (expected + $1)) / σ. */
export function oracleZ(d: OracleDay): number {
  return (Math.log(d.cents + LOG_OFFSET) - d.usual.center) / Math.max(d.usual.sigma, 1e-9);
}

/**
 * The first of `days` (a developer's active days from an anomaly's start, in order) on which the oracle calls it,
 * with the engine's evidence bars and perfect knowledge of the usual day and its noise; null when none does.
 *
 * A day is looked at only when it is above the usual day with z ≥ onsetZ (scanUserDay's entry), and its impact is
 * the most cents above the usual day summed from any onset on or after the anomaly's start up to it (the engine
 * counts from its walkBack/changePoint onset: the oracle's is never smaller). It calls the anomaly when the impact
 * reaches minImpact and:
 *  - spike (alarmPath): z ≥ spikeZThreshold, or z ≥ LARGE_SPIKE_Z on a day ≥ LARGE_SPIKE_MULTIPLE × the usual; and
 *    the day ≥ spikeMultiplier × the usual;
 *  - drift (sustainedRun): over the last k = 2..DRIFT_MAX_DAYS active days, no more under onsetZ than endsWindow
 *    takes in (MAX_QUIET_DAYS, of them MAX_DAYS_UNDER_EXPECTED under 0), the first of them at or over it, and no
 *    more than MAX_IDLE_GAP idle workdays in a row, Σ min(z, Z_CAP) / √k ≥ DRIFT_Z. The engine divides by more than
 *    √k (its baseline median's own error, shared by the window's days); the oracle has no such error;
 *  - headless burst (scanUserDay's headlessBurst, a runaway agent's own path, on any day at or over onsetZ): the
 *    day's headless cents ≥ HEADLESS_BURST_FACTOR × the usual (on cents + LOG_OFFSET) and, above the usual, at least
 *    HEADLESS_SHARE_OF_EXCESS of the day's excess;
 *  - runaway / model shift (classify, the non-cost paths: a day elevated, z ≥ elevatedZ, or on a new mix whose days
 *    are elevated together: onMixRun): from the impact's onset to the day, headless share of spend ≥
 *    runawayMinHeadlessShare and requests ≥ runawayMinVolumeFactor × the usual; or premium share of spend ≥
 *    modelShiftMinShareAfter and ≥ the usual share + modelShiftMinShareRise.
 * Not modelled: the CUSUM path (cusum ≥ cusumThreshold with driftDaysAbove days over elevatedZ): a run it passes
 * has Σ (min(z, Z_CAP) − onsetZ) ≥ 4 and so Σ min(z, Z_CAP) / √k ≥ 4 > DRIFT_Z, which the drift path passes unless
 * endsWindow cut the run short; nor the team z-score of a developer with little history (the anomalies are
 * on developers present from the first day).
 */
export function oracleFind(days: OracleDay[], bars: OracleBars): OracleFind | null {
  const z = days.map(oracleZ);
  const excess = days.map((d) => d.cents - d.usual.expected);
  for (let j = 0; j < days.length; j++) {
    const today = days[j];
    if (excess[j] <= 0 || z[j] < bars.onsetZ) continue;
    // The impact: the largest sum of excess over days i..j, i ≥ 0 (the anomaly's start), and the onset i giving it.
    let sum = 0;
    let impact = Number.NEGATIVE_INFINITY;
    let onset = j;
    for (let i = j; i >= 0; i--) {
      sum += excess[i];
      if (sum > impact) {
        impact = sum;
        onset = i;
      }
    }
    if (impact < bars.minImpactCents) continue;
    const expected = today.usual.expected;
    const found = (path: OraclePath, evidence?: number): OracleFind => ({
      index: j,
      day: today.day,
      path,
      z: z[j],
      impact,
      ...(evidence === undefined ? {} : { evidence }),
    });
    if (today.cents >= bars.spikeMultiplier * expected) {
      if (z[j] >= bars.spikeZ) return found('spike');
      if (z[j] >= bars.largeSpikeZ && today.cents >= bars.largeSpikeMultiple * expected) return found('large_spike');
    }
    let k = 0;
    let total = 0;
    const quiet: QuietDays = { quiet: 0, under: 0 };
    for (let i = j; i >= 0 && k < bars.driftMaxDays; i--) {
      if (i < j && days[i + 1].idleWorkdaysBefore > bars.maxIdleGap) break;
      if (endsWindow(quiet, z[i], bars.onsetZ)) break;
      k++;
      total += Math.min(z[i], bars.zCap);
      const evidence = total / Math.sqrt(k);
      if (k >= 2 && z[i] >= bars.onsetZ && evidence >= bars.driftZ) return found('drift', evidence);
    }
    const usualHeadless = today.usual.headless;
    if (
      today.headlessCents - usualHeadless >= bars.headlessShareOfExcess * excess[j] &&
      today.headlessCents + LOG_OFFSET >= bars.headlessBurstFactor * (usualHeadless + LOG_OFFSET)
    )
      return found('headless_burst');
    if (z[j] < bars.elevatedZ && !onMixRun(days, z, j, bars)) continue;
    let cents = 0;
    let headless = 0;
    let premium = 0;
    let events = 0;
    let usualEvents = 0;
    let usualPremium = 0;
    for (let i = onset; i <= j; i++) {
      cents += days[i].cents;
      headless += days[i].headlessCents;
      premium += days[i].premiumCents;
      events += days[i].events;
      usualEvents += days[i].usual.events;
      usualPremium += days[i].usual.premiumShare;
    }
    const share = (part: number) => (cents > 0 ? part / cents : 0);
    if (share(headless) >= bars.runawayMinHeadlessShare && events >= bars.runawayMinVolumeFactor * usualEvents)
      return found('runaway');
    const before = usualPremium / (j - onset + 1);
    if (share(premium) >= bars.modelShiftMinShareAfter && share(premium) - before >= bars.modelShiftMinShareRise)
      return found('model');
  }
  return null;
}

/**
 * The engine's mixRun with the true usual day: day j and the active days just before it, back to the anomaly's start
 * and no more than maxIdleGap idle workdays apart, are on a new mix (each day's premium share of spend ≥
 * modelShiftMinShareAfter and ≥ its usual share + modelShiftMinShareRise), and their Σ min(z, zCap) / √k ≥
 * elevatedZ. Looser than the engine, as a ceiling should be: the engine divides by more than √k (as in the drift
 * path), reaches back no more than baselineDays, and has guards the oracle needs not (no run across the end of an
 * earlier episode, none not seen beginning or from a day judged against the team: the anomalies are on established
 * developers, from their start). Unlike the engine's, a run here may also be called a runaway (oracleFind's checks).
 */
function onMixRun(days: OracleDay[], z: number[], j: number, bars: OracleBars): boolean {
  const onMix = (d: OracleDay) => {
    const share = d.cents > 0 ? d.premiumCents / d.cents : 0;
    return share >= bars.modelShiftMinShareAfter && share - d.usual.premiumShare >= bars.modelShiftMinShareRise;
  };
  let k = 0;
  let total = 0;
  for (let i = j; i >= 0 && onMix(days[i]); i--) {
    if (i < j && days[i + 1].idleWorkdaysBefore > bars.maxIdleGap) break;
    k++;
    total += Math.min(z[i], bars.zCap);
  }
  return k > 0 && total / Math.sqrt(k) >= bars.elevatedZ;
}

/** The days from `worthyDay` (the day the anomaly's extra reached $20) to a find, 0 when found before it (score.ts). */
export function delayFromWorthy(worthyDay: string, day: string): number {
  return Math.max(0, daysBetween(worthyDay, day));
}

/** One labelled per-developer anomaly worth ≥ $20, as the oracle and the engine saw it. */
export interface CeilingRow {
  id: string;
  kind: string;
  worthyDay: string;
  /** Judged as score.ts judges it: its extra reached $20 at least dueDays before the last replayed day. */
  judged: boolean;
  oracle: { day: string; delay: number; path: OraclePath } | null;
  /** The engine's first episode about it (score.ts's found), or null when missed (or not judged). */
  engine: { day: string; delay: number } | null;
}

/**
 * Where an anomaly the engine missed, or found more than dueDays after its worthyDay, stands against the oracle:
 * 'beyond the data' when the oracle too misses it or finds it only more than dueDays after worthyDay (no estimation
 * could do better at these bars), 'the engine's' when the oracle finds it within dueDays. Null when the engine
 * found it in time, or when it is not judged.
 */
export function verdict(row: CeilingRow, dueDays: number): 'beyond the data' | "the engine's" | null {
  if (!row.judged || (row.engine !== null && row.engine.delay <= dueDays)) return null;
  return row.oracle !== null && row.oracle.delay <= dueDays ? "the engine's" : 'beyond the data';
}

export interface CeilingSummary {
  judged: number;
  oracleFound: number;
  /** Found by the oracle within dueDays of worthyDay. */
  oracleInTime: number;
  oracleMedianDelay: number;
  oracleWorstDelay: number;
  engineFound: number;
  engineInTime: number;
  engineMedianDelay: number;
  engineWorstDelay: number;
  /** The engine's misses, by verdict. */
  missedBeyond: number;
  missedEngine: number;
  /** The engine's finds later than dueDays after worthyDay, by verdict. */
  lateBeyond: number;
  lateEngine: number;
  /** Found by the engine but never by the oracle (the oracle is no strict ceiling: its bars are the engine's main ones). */
  engineOnly: number;
}

export function summarize(rows: CeilingRow[], dueDays: number): CeilingSummary {
  const judged = rows.filter((r) => r.judged);
  const oracle = judged.flatMap((r) => (r.oracle ? [r.oracle.delay] : []));
  const engine = judged.flatMap((r) => (r.engine ? [r.engine.delay] : []));
  const count = (f: (r: CeilingRow) => boolean) => judged.filter(f).length;
  const stat = (v: number[], f: (v: number[]) => number) => (v.length > 0 ? f(v) : Number.NaN);
  return {
    judged: judged.length,
    oracleFound: oracle.length,
    oracleInTime: oracle.filter((d) => d <= dueDays).length,
    oracleMedianDelay: stat(oracle, median),
    oracleWorstDelay: stat(oracle, (v) => Math.max(...v)),
    engineFound: engine.length,
    engineInTime: engine.filter((d) => d <= dueDays).length,
    engineMedianDelay: stat(engine, median),
    engineWorstDelay: stat(engine, (v) => Math.max(...v)),
    missedBeyond: count((r) => r.engine === null && verdict(r, dueDays) === 'beyond the data'),
    missedEngine: count((r) => r.engine === null && verdict(r, dueDays) === "the engine's"),
    lateBeyond: count((r) => r.engine !== null && verdict(r, dueDays) === 'beyond the data'),
    lateEngine: count((r) => r.engine !== null && verdict(r, dueDays) === "the engine's"),
    engineOnly: count((r) => r.engine !== null && r.oracle === null),
  };
}

/**
 * The oracle watching a developer no anomaly touches, day after day (`days`: their active days over the replayed
 * window, in order): how many times it would call something. A call holds until two active days in a row are under
 * onsetZ (episode.ts's ENDING_NORMAL_DAYS; the engine's weekend lulls are not modelled), as an open episode of the
 * engine raises no second alert; the oracle then looks again from the day after them, its impact summed from there.
 * (bench:detect also counts two alerts of one detector within autoResolveAfterDays days of each other as one; this
 * does not.) These are what the oracle's bars cost: not a floor under the engine's false alerts, as the engine's
 * scale, wider than the true σ, calls less.
 */
export function oracleFalseCalls(days: OracleDay[], bars: OracleBars): number {
  let calls = 0;
  let from = 0;
  while (from < days.length) {
    const find = oracleFind(days.slice(from), bars);
    if (find === null) break;
    calls++;
    let i = from + find.index + 1;
    for (let under = 0; i < days.length && under < 2; i++) under = oracleZ(days[i]) < bars.onsetZ ? under + 1 : 0;
    from = i;
  }
  return calls;
}

/**
 * The oracle's bars with some replaced (bench:detect-ceiling's --bars): a JSON object of OracleBars keys and finite
 * numbers. Throws, naming the key, on anything else, so a misspelt bar is not silently the default.
 */
export function withBars(bars: OracleBars, json: string): OracleBars {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new Error(`--bars is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('--bars must be a JSON object of bar names and numbers, e.g. {"driftZ":3}');
  const out = { ...bars };
  for (const [key, value] of Object.entries(parsed)) {
    if (!Object.hasOwn(bars, key))
      throw new Error(`--bars: unknown bar "${key}" (one of ${Object.keys(bars).join(', ')})`);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(
        `--bars: "${key}" must be a finite number, got ${typeof value === 'number' ? value : JSON.stringify(value)}`,
      );
    out[key as keyof OracleBars] = value;
  }
  return out;
}

/**
 * The developers (indexes) no planned anomaly touches: those the oracle's false calls are counted on. A team-wide
 * jump does not count as touching them: the oracle knows its price (their usual day is priced with it).
 */
export function untouchedDevelopers(plan: { kind: string; users: number[] }[], developers: number): number[] {
  const touched = new Set<number>();
  for (const a of plan) if (a.kind !== 'team_jump') for (const i of a.users) touched.add(i);
  return Array.from({ length: developers }, (_, i) => i).filter((i) => !touched.has(i));
}
