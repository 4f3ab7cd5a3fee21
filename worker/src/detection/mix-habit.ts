import type { Settings } from '../settings/schema';
import type { SeriesSet, UserSeries } from './series';
import { medianOfFirst } from './stats';

/**
 * Share of the team's developers with a one-off mix day in the window before a day at or above which trying a
 * pricier mix for a day is the team's habit (mixHabitDays). On teams without such days (bench:detect's teams of one
 * fixed mix per developer) it is 0–3%; where one day in five to twenty is a mix day, 60–90%.
 */
export const MIX_HABIT_SHARE = 0.1;

/**
 * A share on expensive models that is a model shift from the share `before` (the baseline's, or a day's): of spend, and
 * in judgedSpend of requests too.
 */
export function onNewMix(settings: Settings, share: number, before: number): boolean {
  return share >= settings.modelShiftMinShareAfter && share - before >= settings.modelShiftMinShareRise;
}

/** Day d's spend on expensive models, in cents. */
export function premiumCents(u: UserSeries, d: number, expensive: Set<string>): number {
  let premium = 0;
  for (const [model, m] of u.models) if (expensive.has(model)) premium += m.cents[d];
  return premium;
}

/** Day d's share of spend on expensive models (0..1); NaN on a day without spend. */
export function premiumShare(u: UserSeries, d: number, expensive: Set<string>): number {
  const total = u.cents[d];
  return total > 0 ? premiumCents(u, d, expensive) / total : Number.NaN;
}

/** judgedSpend's reused buffers (one call at a time), grown to the longest series and window seen. */
let shareOf = new Float64Array(128);
let priceOf = new Float64Array(128);
let requestShareOf = new Float64Array(128);
let windowBuf = new Float64Array(64);

/**
 * The developer's spend as detection judges it, per day. On a day of a team with the habit (`habit`, mixHabitDays), a
 * day on a new mix (a share of spend, or of requests, on expensive models that passes the model shift's test over the
 * developer's usual one) counts at their usual cost per request, by its volume, when it is among the first
 * settings.mixHabitVolumeDays (1 by default) days in a row on it (a day and the active day before it, across at most
 * `maxIdleGap` idle workdays, are in a row), or one day more for a developer who was on such a mix earlier in the
 * baselineDays before the day, or whose use began within them (`began`, the window index of their first seen day,
 * useBegan: a joiner, an install's first weeks; their mix before is unknown). Its price alone is the habit: not a
 * spike, nor a drift's day, nor a wider scale for the days after it (the baselines, the team prior and the team's day
 * effect read this spend too). The day after those counts at its cost, and raises an alert when it alarms (a model
 * shift when its share of spend passes the test: alarm.ts's classify reads only that one). The usual shares and cost
 * per request are medians over the developer's active days in the baselineDays before the day: their own mix days do
 * not move them while they are under half their days. Read from the series and `began` alone, as mixHabitDays is from the series: in
 * a series' first weeks a habit is read from fewer days, and UserSeries.olderLog holds the days before the series at
 * their price, so the baselines of the days judged, which reach back that far, can take a habitual day at its price,
 * and the next pass (its series a day later) can judge a day otherwise. `u.cents` itself when no day changes.
 */
export function judgedSpend(
  u: UserSeries,
  habit: Uint8Array,
  dayClass: Uint8Array,
  settings: Settings,
  expensive: Set<string>,
  maxIdleGap: number,
  began: number,
): Float64Array {
  const n = u.cents.length;
  let judged = u.cents;
  let measured = false;
  for (let t = 0; t < n; t++) {
    if (habit[t] === 0 || u.events[t] <= 0 || u.cents[t] <= 0) continue;
    if (!measured) {
      measureDays(u, expensive);
      measured = true;
    }
    const after = settings.modelShiftMinShareAfter;
    if (!(shareOf[t] >= after) && !(requestShareOf[t] >= after)) continue; // no new mix, whatever the usual one
    const from = Math.max(0, t - settings.baselineDays);
    const usualShare = windowMedian(shareOf, from, t);
    const usualRequests = windowMedian(requestShareOf, from, t);
    // The share of spend, or of requests: the first cannot rise by modelShiftMinShareRise for a developer who already
    // spends most on expensive models (at 65%, a day at 90% is a rise of 0.25), the second still can.
    const onMix = (d: number) =>
      onNewMix(settings, shareOf[d], usualShare) || onNewMix(settings, requestShareOf[d], usualRequests);
    if (Number.isNaN(usualShare) || !onMix(t)) continue;
    // The run of active days on the new mix that t ends, back to one day past those judged by volume for a developer
    // familiar with such a mix (no further day changes the answer).
    const byVolume = settings.mixHabitVolumeDays;
    let runStart = t;
    let runDays = 1;
    for (let d = activeDayBefore(u, dayClass, t, maxIdleGap); runDays <= byVolume + 1 && d >= 0 && onMix(d);) {
      runStart = d;
      runDays++;
      d = activeDayBefore(u, dayClass, d, maxIdleGap);
    }
    if (runDays > byVolume + 1) continue;
    if (runDays === byVolume + 1) {
      // A developer whose use began within the baselineDays before t (a joiner, an install's first weeks) may have had
      // such days before it, or not: on a team with the habit they are taken to have.
      let familiar = began >= t - settings.baselineDays;
      for (let d = from; d < runStart && !familiar; d++) familiar = onMix(d);
      if (!familiar) continue;
    }
    // Only ever lower: a day on a pricier mix that cost less per request than usual is judged as it was.
    const priced = u.events[t] * windowMedian(priceOf, from, t);
    if (!(priced < u.cents[t])) continue;
    if (judged === u.cents) judged = Float64Array.from(u.cents);
    judged[t] = priced;
  }
  return judged;
}

/**
 * Fills shareOf, requestShareOf and priceOf with each day's share of spend and of requests on expensive models and its
 * cost per request (NaN if idle).
 */
function measureDays(u: UserSeries, expensive: Set<string>): void {
  const n = u.cents.length;
  if (shareOf.length < n) {
    shareOf = new Float64Array(n);
    priceOf = new Float64Array(n);
    requestShareOf = new Float64Array(n);
  }
  for (let d = 0; d < n; d++) {
    if (!(u.events[d] > 0 && u.cents[d] > 0)) {
      shareOf[d] = priceOf[d] = requestShareOf[d] = Number.NaN;
      continue;
    }
    // One walk over the models for both shares (premiumShare's sum of cents, and the requests beside it).
    let cents = 0;
    let events = 0;
    for (const [model, m] of u.models) {
      if (!expensive.has(model)) continue;
      cents += m.cents[d];
      events += m.events[d];
    }
    shareOf[d] = cents / u.cents[d];
    priceOf[d] = u.cents[d] / u.events[d];
    requestShareOf[d] = events / u.events[d];
  }
}

/** Median of `values` over the days [from, to) that have one (not NaN); NaN when none has. */
function windowMedian(values: Float64Array, from: number, to: number): number {
  if (windowBuf.length < to - from) windowBuf = new Float64Array(to - from);
  let k = 0;
  for (let d = from; d < to; d++) if (!Number.isNaN(values[d])) windowBuf[k++] = values[d];
  return k > 0 ? medianOfFirst(windowBuf, k) : Number.NaN;
}

/** The developer's last active day before t, across at most maxIdleGap idle workdays in a row; −1 when none. */
function activeDayBefore(u: UserSeries, dayClass: Uint8Array, t: number, maxIdleGap: number): number {
  let idle = 0;
  for (let d = t - 1; d >= 0; d--) {
    if (u.events[d] > 0) return d;
    if (dayClass[d] === 0 && ++idle > maxIdleGap) return -1;
  }
  return -1;
}

/**
 * Per day t (1 or 0): on the baselineDays before t, at least MIX_HABIT_SHARE of the developers active then had a
 * one-off mix day, one whose share of spend on expensive models passed the model shift's own test
 * (modelShiftMinShareAfter, and modelShiftMinShareRise) over both the active day before it and the one after it, both
 * before t. Such a team tries pricier models for a day as ordinary work, and one day on a new mix is no model shift
 * there without a cost alarm (mix-shift.ts's oneMixDay). Read from the days before t alone: given the same expensive models
 * (expensiveModels reads the pass's whole series), the next pass judges a day the same, but for a lone day whose
 * active day before it falls before the pass's series.
 */
export function mixHabitDays(series: SeriesSet, settings: Settings, expensive: Set<string>): Uint8Array {
  const n = series.days.length;
  if (expensive.size === 0) return new Uint8Array(n);
  const window = settings.baselineDays;
  // Differences over t of the count of developers with a one-off mix day in [t − window, t), and of those active.
  const oneOff = new Int32Array(n + 1);
  const active = new Int32Array(n + 1);
  for (const u of series.users) {
    // Each a union of the intervals (from, to] a day covers: the counts change where a developer's union starts and
    // where it ends.
    const coverOneOff = cover(oneOff, n);
    const coverActive = cover(active, n);
    let before = Number.NaN; // share of the active day before `day`
    let day = -1;
    let share = Number.NaN;
    for (let d = 0; d < n; d++) {
      if (u.events[d] <= 0) continue;
      coverActive(d, d, d + window);
      const next = premiumShare(u, d, expensive);
      // `day` had an active day on either side: known one-off from d + 1 on (d is its next day, before t).
      if (!Number.isNaN(before) && onNewMix(settings, share, before) && onNewMix(settings, share, next))
        coverOneOff(d, day, day + window);
      before = share;
      share = next;
      day = d;
    }
    coverOneOff(-1, -1, -1);
    coverActive(-1, -1, -1);
  }
  const habit = new Uint8Array(n);
  let withOneOff = 0;
  let withActive = 0;
  for (let t = 0; t < n; t++) {
    withOneOff += oneOff[t];
    withActive += active[t];
    habit[t] = withActive > 0 && withOneOff >= MIX_HABIT_SHARE * withActive ? 1 : 0;
  }
  return habit;
}

/**
 * Adds to the difference array `counts` one developer's union of intervals: `add(known, day, until)` covers the days t
 * with max(known, day) < t ≤ until (intervals come in order of `day`); `add(-1, …)` closes the union.
 */
function cover(counts: Int32Array, n: number): (known: number, day: number, until: number) => void {
  let from = -1;
  let to = -1;
  const close = () => {
    if (from < 0) return;
    counts[Math.min(n, from + 1)]++;
    counts[Math.min(n, to + 1)]--;
  };
  return (known, day, until) => {
    if (known < 0) {
      close();
      from = -1;
      return;
    }
    const start = Math.max(known, day);
    if (start >= until) return; // known only after its window: it covers no day
    if (from >= 0 && start <= to) to = Math.max(to, until);
    else {
      close();
      from = start;
      to = until;
    }
  };
}
