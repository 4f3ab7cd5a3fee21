/**
 * The evidence of a developer's sustained rise: a rise ending today (sustainedRun), a level shift against the baseline
 * frozen at its change point (frozenShift), where a rise began (walkBack, changePoint), and who is too light for a
 * rise to be worth minImpact within its window (lightDeveloper).
 */
import { fromLog, logSpend, MEDIAN_VARIANCE, tToZ } from './baseline';
import { MAX_IDLE_GAP, Z_CAP, type ScanContext, type Span, type UserScan } from './scan-types';
import { atDayPrice, excessOn } from './user-days';

/**
 * Walks back from day t over the days above the reference z (and above expected): the episode's onset. Idle days
 * are skipped (up to MAX_IDLE_GAP in a row); one milder day still above expected is bridged only when the day
 * before it was clearly elevated (a level shift's quiet day), not to chain ordinary noise.
 */
export function walkBack(s: UserScan, t: number, evalFrom: number, onsetZ: number, elevatedZ: number): number {
  let onset = t;
  let idle = 0;
  let bridging = false;
  for (let d = t - 1; d >= evalFrom; d--) {
    if (s.user.events[d] <= 0 || Number.isNaN(s.z[d])) {
      if (++idle > MAX_IDLE_GAP) break;
      continue;
    }
    idle = 0;
    const above = s.judged.cents[d] > s.expected[d];
    if (above && s.z[d] >= (bridging ? elevatedZ : onsetZ)) {
      onset = d;
      bridging = false;
    } else if (above && !bridging) bridging = true;
    else break;
  }
  return onset;
}

/** Active days a sustained rise is looked for in (the window ends today). */
export const DRIFT_MAX_DAYS = 10;

/**
 * Evidence of a sustained rise: Σ min(z, Z_CAP) over the last k active days / √k (a k-day mean's own z, pooledZ).
 * 3.75 since the scale reads eight weeks (Dec 4 2026, chosen on bench:detect's tuning teams: false alerts 8 → 4 for
 * one find of 75; it was 3.5). Kept when pooledZ came to count the shared error class of day by class (Dec 6 2026): 3.9
 * would hold the 64 teams' false alerts where they were (129 → 104, against 113 before), but tells 69 finds 1–7 days
 * later and misses 6 more, a trade of about 0.01 false alerts per 100 developers a week for days of delay.
 */
export const DRIFT_Z = 3.75;

/** Quieter days (z under the reference, onsetZ) a rise's window takes in; the next one ends it. */
export const MAX_QUIET_DAYS = 2;
/** Of those, days under expected (z < 0); the next one ends it. */
export const MAX_DAYS_UNDER_EXPECTED = 1;

/** The quieter days a rise's window has taken in so far, walking back from today. */
export interface QuietDays {
  quiet: number;
  under: number;
}

/**
 * Counts a day of z into a rise's window walking back (sustainedRun, and bench:detect-ceiling's oracle); true when the
 * window ends before it. A slow rise's days above expected but under the reference are part of it: a ramp's first
 * week or a noisy developer's ×2 level shift leaves some days at z 0–1, and the window used to end at its second
 * such day, so the evidence of the days before it never counted (bench:detect, Dec 6 2026: T6-churn's $152 ramp found
 * 21 days after its start, H2-power's $57 level shift and M1's $47 and $59 ones never). Their z still counts in the
 * sum. A second day under expected ends the window: that is no rise.
 */
export function endsWindow(days: QuietDays, z: number, onsetZ: number): boolean {
  if (z >= onsetZ) return false;
  days.quiet++;
  if (z < 0) days.under++;
  return days.quiet > MAX_QUIET_DAYS || days.under > MAX_DAYS_UNDER_EXPECTED;
}

/** What a window's days share through one baseline median, of day t or frozenShift's reference (pooledZ). */
export interface SharedError {
  teamLike: boolean;
  medianError: number;
  /** The covariance of two of its days' z. */
  shared: number;
}

/**
 * The window's days share one baseline median, whose own error (variance π/2 · σ²/n) does not average out over
 * k days. Each day's z is already judged against a scale widened for it (userBaseline: × √(1 + π/2/n)), so has
 * variance 1; what two days share is the covariance (π/2/n) / (1 + π/2/n). Counting the error again on top of
 * that (k + π/2 · k²/n) kept a power user's ×2.3 level shift ($1,780, T1-steady) from ever being significant.
 * Someone judged against the team has no such widening: their days share the whole π/2/n. On a team whose days
 * are correlated, the median errs stretch times more (userBaseline widens for that too).
 */
export function sharedError(ownDays: number, stretch: number, teamLike = false): SharedError {
  const medianError = (MEDIAN_VARIANCE * stretch) / Math.max(3, ownDays);
  return { teamLike, medianError, shared: medianError / (1 + medianError) };
}

/** sharedError of the window's days ending on day t, whose baseline they share. */
export function sharedErrorOn(s: UserScan, t: number, stretch: number): SharedError {
  const b = s.baseline;
  const judged = b.has(t);
  return sharedError(judged ? b.ownDays[t - b.from] : 3, stretch, !judged || b.teamLike(t));
}

/** What a window's days share, by class of day (0 workdays, 1 weekend days): pooledZ's. */
export type ClassErrors = readonly [SharedError, SharedError];

/**
 * sharedErrorOn for each class of day of a window ending on day t: the baseline of the latest day of that class up to
 * t (a weekend day's level is the median of the developer's weekend days, userBaseline). Day t's for both when it is
 * judged against the team (its days then share the team's level, whatever their class), or when the latest day of
 * the other class has no baseline, or one judged against the team: both slots are then alike (pooledZ relies on it).
 */
export function classErrorsOn(s: UserScan, t: number, stretch: number, dayClass: Uint8Array): ClassErrors {
  const own = sharedErrorOn(s, t, stretch);
  const b = s.baseline;
  let other = own;
  if (!own.teamLike) {
    const stop = Math.max(b.from, t - 6);
    let d = t - 1;
    while (d >= stop && dayClass[d] === dayClass[t]) d--;
    if (d >= stop && dayClass[d] !== dayClass[t] && b.has(d) && !b.teamLike(d)) other = sharedErrorOn(s, d, stretch);
  }
  return dayClass[t] === 0 ? [own, other] : [other, own];
}

/**
 * k0 workdays' and k1 weekend days' summed z (each capped at Z_CAP by the caller) as the z of their mean, for what
 * they share. Each class of day is judged against a median of its own days, so two days share its error only
 * within a class (every pair was counted as sharing day t's: a Saturday's median, of 13 days against the workdays'
 * 21, then weighed on all of a ramp's workdays, and H4-holidays' $817 ramp was found on the Monday, not the
 * Saturday). A class too thin for a median of its own borrows the other's (userBaseline), so for someone who
 * seldom works weekends their one or two weekend days do share it: the shared error is then a little understated (the
 * evidence overstated), over one or two days. Someone judged against the team shares the whole error on every day
 * (classErrorsOn gives both slots alike then).
 */
export function pooledZ(sum: number, k0: number, k1: number, e: ClassErrors): number {
  const k = k0 + k1;
  if (e[0].teamLike) return sum / Math.sqrt(k + e[0].medianError * k * k);
  return sum / Math.sqrt(k + k0 * (k0 - 1) * e[0].shared + k1 * (k1 - 1) * e[1].shared);
}

/**
 * A sustained rise ending today (issue #12: ramps and small level shifts were found 6–8 days late by a CUSUM that
 * needed three days above 2σ). Over the last k = 2..DRIFT_MAX_DAYS active days, with no more quieter days than
 * endsWindow lets in and its first day above the reference, the mean z must be significant as a mean (Σz/√k ≥
 * DRIFT_Z) and the excess worth minImpact. A ×2 rise of a typical user passes within two or three days, while one
 * noisy day or a week of days just above the reference does not. The onset is the first day of the longest such window.
 */
export function sustainedRun(
  s: UserScan,
  t: number,
  floor: number,
  onsetZ: number,
  minImpact: number,
  dayClass: Uint8Array,
  stretch: number,
): { onset: number; impact: number; significant: boolean } {
  let sum = 0;
  let excess = 0;
  const k = [0, 0];
  const quiet: QuietDays = { quiet: 0, under: 0 };
  let idle = 0;
  let found = { onset: -1, impact: 0, significant: false };
  const errors = classErrorsOn(s, t, stretch, dayClass);
  for (let d = t; d >= floor && k[0] + k[1] < DRIFT_MAX_DAYS; d--) {
    if (s.user.events[d] <= 0 || Number.isNaN(s.z[d])) {
      // An idle weekend is no gap in a working pattern; idle workdays are, past MAX_IDLE_GAP in a row.
      if (dayClass[d] === 0 && ++idle > MAX_IDLE_GAP) break;
      continue;
    }
    idle = 0;
    const z = s.z[d];
    const dayExcess = excessOn(s, d);
    if (endsWindow(quiet, z, onsetZ)) break;
    k[dayClass[d]]++;
    sum += Math.min(z, Z_CAP);
    excess += dayExcess;
    const evidence = pooledZ(sum, k[0], k[1], errors);
    if (k[0] + k[1] >= 2 && z >= onsetZ && evidence >= DRIFT_Z) {
      found.significant = true;
      if (excess >= minImpact) found = { onset: d, impact: excess, significant: true };
    }
  }
  return found;
}

/** Calendar days back a change point is looked for against the reference frozen at it (frozenShift). */
const SHIFT_LOOKBACK_DAYS = 21;

/** Active days from the change point to today the frozen-reference test needs (shorter rises are sustainedRun's). */
const SHIFT_MIN_DAYS = 5;

/** The evidence the frozen-reference test needs: above DRIFT_Z, since it searches over change points. */
const SHIFT_Z = 4.0;

/** Days back a class's reference is looked for from a change point (a weekend is at most 6 days back). */
const REFERENCE_REACH = 7;

// Reused buffers of frozenShift (one call at a time): the window's active days, and their log spend over the team's
// day effect.
const shiftDay = new Int32Array(SHIFT_LOOKBACK_DAYS + 1);

const shiftLog = new Float64Array(SHIFT_LOOKBACK_DAYS + 1);

/**
 * A level shift the rolling baseline absorbed before it was significant (issue #12: H5-churn's ×1.8 developer, whose
 * expected climbed 77 → 130 $/day as the shifted days entered the median, each day then at z 0.1–0.9): on day t, each
 * active day c above expected within the last SHIFT_LOOKBACK_DAYS is a candidate change point, and the active days
 * c..t are judged against the baseline as it was at c (for each class of day, the baseline of the latest evaluated day
 * ≤ c of that class, times each day's team effect), with the evidence Σ min(z, Z_CAP)/√(k + k(k−1)·shared), one shared
 * error for every pair (not pooledZ's class by class).
 * The search over c is paid for by a higher bar (SHIFT_Z). The change point is the one of most evidence, and the
 * extra over its reference since then must be worth minImpact. A candidate is passed over when a team episode alarmed
 * on or after it, or when a day within adaptAfterDays before it is flagged (its reference then left out an episode's
 * or a run's days: a level that went on after an episode would be found again against the level before it).
 * Returns the change point and that extra, or null.
 */
export function frozenShift(s: UserScan, ctx: ScanContext, t: number, floor: number): Span | null {
  const b = s.baseline;
  const { dayClass, teamFactor } = ctx;
  const from = Math.max(floor, t - SHIFT_LOOKBACK_DAYS, b.from + REFERENCE_REACH);
  if (t - from + 1 < SHIFT_MIN_DAYS) return null;
  const cents = s.judged.cents;
  let n = 0;
  for (let d = from; d <= t; d++) {
    if (s.user.events[d] <= 0 || Number.isNaN(s.z[d])) continue;
    shiftDay[n] = d;
    shiftLog[n++] = logSpend(cents[d]) - Math.log(teamFactor[d]);
  }
  // A change point before a team episode's day would judge the team's jump, absorbed into everyone's baseline, as
  // this developer's own.
  let lastTeam = -1;
  for (let d = t; d >= from && lastTeam < 0; d--) if (ctx.teamAlarmed[d] === 1) lastTeam = d;
  let onset = -1;
  let ref0 = -1;
  let ref1 = -1;
  let most = Number.NEGATIVE_INFINITY;
  // The last flagged day before the candidate, kept as the candidates move forward (one pass over the days).
  let lastFlagged = -1;
  let scanned = Math.max(0, from - ctx.settings.adaptAfterDays);
  for (let i = 0; i + SHIFT_MIN_DAYS <= n; i++) {
    const c = shiftDay[i];
    for (; scanned < c; scanned++) if (s.flagged[scanned] === 1) lastFlagged = scanned;
    if (cents[c] <= s.expected[c] || c <= lastTeam || lastFlagged >= c - ctx.settings.adaptAfterDays) continue;
    // The reference of each class of day: the latest evaluated day ≤ c of that class with a baseline of its own.
    let r0 = -1;
    let r1 = -1;
    for (let r = c; r >= Math.max(b.from, c - REFERENCE_REACH) && (r0 < 0 || r1 < 0); r--) {
      if (!b.has(r) || b.teamLike(r)) continue;
      if (dayClass[r] === 0) {
        if (r0 < 0) r0 = r;
      } else if (r1 < 0) r1 = r;
    }
    if ((dayClass[c] === 0 ? r0 : r1) < 0) continue;
    // The days share their reference's median error (sharedError); with two references, the one of fewer days, for
    // every pair of days (not pooledZ's class by class: the search over change points back to three weeks then took in
    // a lasting team jump's weeks, one-day alerts of its developers and alerts about an anomaly already told;
    // docs/benchmarks.md, Dec 6 2026).
    const ownDays = Math.min(
      r0 < 0 ? Number.POSITIVE_INFINITY : b.ownDays[r0 - b.from],
      r1 < 0 ? Number.POSITIVE_INFINITY : b.ownDays[r1 - b.from],
    );
    const error = sharedError(ownDays, ctx.stretch);
    let sum = 0;
    let k = 0;
    for (let j = i; j < n; j++) {
      const r = dayClass[shiftDay[j]] === 0 ? r0 : r1;
      if (r < 0) continue;
      sum += Math.min(tToZ((shiftLog[j] - b.center[r - b.from]) / b.scale[r - b.from], b.dof(r)), Z_CAP);
      k++;
    }
    if (k < SHIFT_MIN_DAYS) continue;
    const evidence = pooledZ(sum, k, 0, [error, error]);
    if (evidence >= SHIFT_Z && evidence > most) {
      most = evidence;
      onset = c;
      ref0 = r0;
      ref1 = r1;
    }
  }
  if (onset < 0) return null;
  // The extra since the change point over that reference (times each day's team effect) must be worth minImpact.
  let impact = 0;
  for (let d = onset; d <= t; d++) {
    const r = dayClass[d] === 0 ? ref0 : ref1;
    if (s.user.events[d] <= 0 || Number.isNaN(s.z[d]) || r < 0) continue;
    impact += atDayPrice(s, d, cents[d] - fromLog(b.center[r - b.from] + Math.log(teamFactor[d])));
  }
  return impact >= ctx.minImpact ? { onset, impact } : null;
}

/**
 * Where a confirmed sustained rise began: the day that maximises Σ (min(z, Z_CAP) − reference) from it to today
 * (the CUSUM change-point estimate), looked for back to `from`. The window of sustainedRun ends at its quieter days
 * (endsWindow), which on a noisy person come a few days into a level shift (a ×2 shift at σ 0.45 leaves a third of
 * its days under z 1): its onset then came days late. Days under the reference count against an earlier
 * onset, so ordinary days before the rise never win. Idle days are skipped; a gap of more than MAX_IDLE_GAP idle
 * workdays ends the search. The onset is a day above expected.
 */
export function changePoint(s: UserScan, t: number, from: number, reference: number, dayClass: Uint8Array): number {
  let sum = 0;
  let best = t;
  let most = Number.NEGATIVE_INFINITY;
  let idle = 0;
  for (let d = t; d >= Math.max(0, from); d--) {
    if (s.user.events[d] <= 0 || Number.isNaN(s.z[d])) {
      if (dayClass[d] === 0 && ++idle > MAX_IDLE_GAP) break;
      continue;
    }
    idle = 0;
    sum += Math.min(s.z[d], Z_CAP) - reference;
    if (sum > most && s.judged.cents[d] > s.expected[d]) {
      most = sum;
      best = d;
    }
  }
  return best;
}

/**
 * A developer too light for a rise to be worth minImpact within sustainedRun's window: even doubling their expected
 * spend (its mean over the active days from..to) for DRIFT_MAX_DAYS active days would add less.
 */
export function lightDeveloper(s: UserScan, from: number, to: number, minImpact: number): boolean {
  let expected = 0;
  let active = 0;
  for (let d = from; d <= to; d++) {
    if (s.user.events[d] <= 0) continue;
    expected += s.expected[d];
    active++;
  }
  return active > 0 && (expected / active) * DRIFT_MAX_DAYS < minImpact;
}
