/**
 * Reading a developer's scanned days: their excess over expected, their active and elevated days, a walk back over
 * them, the days a baseline leaves out (baselineSkip) and the why of a span (spanWhy).
 */
import { explain } from './why';
import { MAX_IDLE_GAP, type ScanContext, type UserScan } from './scan-types';
import type { Settings } from '../settings/schema';
import { isOneDayExcess, type DetectorName } from './types';

/**
 * The days a why's baseline leaves out: anomalous ones (flagged), and the days judged by their volume (judgedSpend),
 * which are a habit's days on a pricier mix, not the developer's usual one: a switch of mix is told from their
 * ordinary days (a developer with such days in the four weeks before a lasting switch had its new mix read as their
 * usual one, and the switch named a drift: bench:detect's M3-mix15 dev0317, Dec 5 2026).
 */
export function baselineSkip(s: UserScan): Uint8Array {
  const judged = s.judged.cents;
  const spent = s.user.cents;
  if (judged === spent) return s.flagged;
  const skip = new Uint8Array(s.flagged.length);
  for (let d = 0; d < skip.length; d++) skip[d] = s.flagged[d] === 1 || judged[d] !== spent[d] ? 1 : 0;
  return skip;
}

/**
 * An excess of day d's judged spend (UserScan.judged) at the day's own price. On a day judged by its volume, the extra
 * requests cost what that day's requests cost, and its usual ones are no excess: the judged excess times the day's
 * spend over its judged spend (how the benchmark counts an anomaly's extra on such a day, too); a shortfall alike, as
 * the day's expected spend at its price is its expected requests at that price. On any other day, the excess itself.
 */
export function atDayPrice(s: UserScan, d: number, excess: number): number {
  const judged = s.judged.cents[d];
  const spent = s.user.cents[d];
  return judged === spent || !(judged > 0) ? excess : (excess * spent) / judged;
}

/** Day d's judged spend over its expected, at the day's own price (atDayPrice). */
export function excessOn(s: UserScan, d: number): number {
  return atDayPrice(s, d, s.judged.cents[d] - s.expected[d]);
}

/** Cents above expected over the active days from..to. */
export function excessSince(s: UserScan, from: number, to: number): number {
  let excess = 0;
  for (let d = from; d <= to; d++) if (s.user.events[d] > 0) excess += excessOn(s, d);
  return excess;
}

export function activeDays(s: UserScan, from: number, to: number): number {
  let n = 0;
  for (let d = from; d <= to; d++) if (s.user.events[d] > 0) n++;
  return n;
}

/**
 * Whether developer `s`'s episode named `detector`, from day `onset` through day `to`, is one day's excess: a spike or
 * a runaway (isOneDayExcess), or a new user's spike of one active day, which classify names team_zscore as it does
 * their level. Neither a weekend lull (episode.ts weekendLull) nor idle days (detect.ts heldOverIdleDays) hold it.
 */
export function isOneDayEpisode(s: UserScan, detector: DetectorName, onset: number, to: number): boolean {
  return isOneDayExcess(detector) || (detector === 'team_zscore' && activeDays(s, onset, to) < 2);
}

/** The day of largest excess (spend above expected) in [from, to]. */
export function peakDay(s: UserScan, from: number, to: number): number {
  let best = to;
  let most = Number.NEGATIVE_INFINITY;
  for (let d = from; d <= to; d++) {
    if (s.user.events[d] <= 0) continue;
    const excess = excessOn(s, d);
    if (excess > most) {
      most = excess;
      best = d;
    }
  }
  return best;
}

/** Days above the reference (z ≥ onsetZ, above expected) among the last driftWindowDays calendar days up to t. */
export function daysAbove(s: UserScan, t: number, settings: Settings): number {
  let count = 0;
  for (let d = Math.max(0, t - settings.driftWindowDays + 1); d <= t; d++) {
    if (s.z[d] >= settings.elevatedZ && s.judged.cents[d] > s.expected[d]) count++;
  }
  return count;
}

/**
 * The earliest day, back from `day` to no earlier than `from`, reached over judged active days that all `hold`:
 * idle or unjudged days are skipped, across at most MAX_IDLE_GAP idle workdays in a row (a weekend is no gap).
 */
export function reachBack(
  s: UserScan,
  dayClass: Uint8Array,
  day: number,
  from: number,
  hold: (d: number) => boolean,
): number {
  let start = day;
  let idle = 0;
  for (let d = day - 1; d >= Math.max(0, from); d--) {
    if (s.user.events[d] <= 0 || Number.isNaN(s.z[d])) {
      if (dayClass[d] === 0 && ++idle > MAX_IDLE_GAP) break;
      continue;
    }
    idle = 0;
    if (!hold(d)) break;
    start = d;
  }
  return start;
}

/** The why of the developer's days onset..t against their baseline window before the onset. */
export function spanWhy(s: UserScan, ctx: ScanContext, onset: number, t: number) {
  const before = { from: onset - ctx.settings.baselineDays, to: onset - 1 };
  return explain([s.user], { from: onset, to: t }, before, ctx.expensive, baselineSkip(s));
}
