/** A developer's shift to a pricier model mix: whether days are on a new mix, and where the new mix began. */
import { onNewMix, premiumCents, premiumShare } from './mix-habit';
import { classErrorsOn, pooledZ, type ClassErrors } from './rise';
import { MAX_IDLE_GAP, Z_CAP, type ScanContext, type Span, type UserScan } from './scan-types';
import { excessOn, excessSince, reachBack, spanWhy } from './user-days';

/**
 * A switch to a pricier mix on a day over the reference (z ≥ onsetZ) that opens nothing on its own cost: the days on
 * the new mix up to day t, pooled as one z (sustainedRun's evidence, pooledZ), reach elevatedZ and are worth
 * minImpact; their span, or null. A noisy developer's switch leaves few days elevated on their own: a $133 switch to
 * 81% premium (bench:detect's H3-weekend dev0039, held out, σ 0.46) read z 0.63, 1.95, 0.34, 1.49 on its first four
 * days and was found eleven days after its extra reached $20, on a day at z 3.4. classify opens a model shift on the
 * span, or nothing.
 */
export function mixRun(s: UserScan, ctx: ScanContext, t: number, floor: number): Span | null {
  const { settings, expensive } = ctx;
  // The run is looked for over the baseline window (familiarMix's): far enough back to be seen crossing the floor.
  const from = t - settings.baselineDays;
  const pricier = (d: number) => premiumShare(s.user, d, expensive) >= settings.modelShiftMinShareAfter;
  if (!pricier(t)) return null;
  // The usual share from the window before the pricier days that end on day t (the run is a tail of them): the
  // window before day t takes in the run's days, and a noisy developer's run then raised its own reference until day
  // t was no longer on a new mix (reviewer helper-84).
  const first = reachBack(s, ctx.dayClass, t, from, pricier);
  const errors = classErrorsOn(s, t, ctx.stretch, ctx.dayClass);
  // The new mix's run is a tail of the pricier days: when none passes, the why below need not be read (a pass at
  // 5,000 developers, most of whose days on a pricier mix are their usual one, spends its time there).
  if (!someTailPasses(s, ctx, first, t, errors)) return null;
  const before = spanWhy(s, ctx, first, first).premiumShareBefore ?? 0; // only its window before is read
  const onset = mixOnset(s, ctx, t, t, from, before);
  if (onset === t && !onNewMix(settings, premiumShare(s.user, t, expensive), before)) return null;
  // No switch: a mix on when the developer's last episode ended (told then, or that episode's: T9-power's dev0098
  // and A3-ar60's dev0357 were told again), or one not seen beginning, with no judged day on the old mix just before
  // it: on since before the first day judged (U3-growth's dev0333, told again four weeks on) or the window, or since
  // their first day (a joiner on a pricier mix: U2-agency's dev0079 became a false team_zscore). Nor a run from a day
  // judged against the team: classify would name it team_zscore (a joiner's switch in their first weeks; helper-85).
  if (onset < floor || dayBefore(s, ctx.dayClass, onset, from) < 0 || s.baseline.teamLike(onset)) return null;
  let sum = 0;
  const k = [0, 0];
  for (let d = onset; d <= t; d++) {
    if (s.user.events[d] <= 0 || Number.isNaN(s.z[d])) continue;
    sum += Math.min(s.z[d], Z_CAP);
    k[ctx.dayClass[d]]++;
  }
  const impact = excessSince(s, onset, t);
  if (!(pooledZ(sum, k[0], k[1], errors) >= settings.elevatedZ) || impact < ctx.minImpact) return null;
  return { onset, impact };
}

/** Whether the days from some day in first..t to t pool to elevatedZ and are worth minImpact (mixRun's test). */
function someTailPasses(s: UserScan, ctx: ScanContext, first: number, t: number, errors: ClassErrors): boolean {
  let sum = 0;
  const k = [0, 0];
  let excess = 0;
  for (let d = t; d >= first; d--) {
    if (s.user.events[d] <= 0) continue;
    excess += excessOn(s, d); // as excessSince counts it: an active day not judged too
    if (Number.isNaN(s.z[d])) continue;
    sum += Math.min(s.z[d], Z_CAP);
    k[ctx.dayClass[d]]++;
    if (excess >= ctx.minImpact && pooledZ(sum, k[0], k[1], errors) >= ctx.settings.elevatedZ) return true;
  }
  return false;
}

/**
 * With no cost alarm, a span whose days up to t hold a new model mix only from some later day on: the days from the
 * first one on the new mix (mixOnset) pass the model-shift test and are worth minImpact on their own. The span's
 * share alone was diluted by its leading days on the old mix (bench:detect's H2-power dev0007, held out: a power
 * user at a 52% premium share whose mix went to 92% on a ×3.5 day, with a day at z 1.6 on the old mix before it, so
 * 80% over the span, a rise under modelShiftMinShareRise; found two days later). A day on the new mix that is
 * elevated alone already opens a model shift when the span is that day; this judges the same days when it is not.
 */
export function onNewMixSince(s: UserScan, ctx: ScanContext, span: Span, t: number, before: number): boolean {
  const from = mixOnset(s, ctx, span.onset, t, span.onset, before);
  if (from === span.onset) return false;
  let cents = 0;
  let premium = 0;
  for (let d = from; d <= t; d++) {
    if (s.user.events[d] <= 0) continue;
    cents += s.user.cents[d];
    premium += premiumCents(s.user, d, ctx.expensive);
  }
  return cents > 0 && onNewMix(ctx.settings, premium / cents, before) && excessSince(s, from, t) >= ctx.minImpact;
}

/** The judged active day before `day`, back to `from` across at most MAX_IDLE_GAP idle workdays; -1 if none. */
function dayBefore(s: UserScan, dayClass: Uint8Array, day: number, from: number): number {
  let idle = 0;
  for (let d = day - 1; d >= Math.max(0, from); d--) {
    if (s.user.events[d] > 0 && !Number.isNaN(s.z[d])) return d;
    if (dayClass[d] === 0 && ++idle > MAX_IDLE_GAP) return -1;
  }
  return -1;
}

/**
 * A new mix the developer has been on before: an active day of day t's baseline window, before the current run on
 * the new mix (mixOnset, reaching back over it), was on a mix that passes the same test. With no cost alarm, such a
 * day opens no model shift: a developer who reaches for the expensive model on some days as ordinary work had a
 * model-shift alert for each such day that was elevated and worth minImpact (bench:detect's mix teams M1 and M2, Dec
 * 4 2026: 140 of their 161 false alerts). Now it is news once in a baseline window; a cost alarm still opens an
 * episode, named as before. One earlier day, not two: at 10% of days, two fell in the window too seldom (M1: 2.11
 * false alerts per 100 developers a week, against 1.44). The window is the baseline's, which every pass holds in full
 * for every day it judges, so a later pass gives the same answer for the same day; two days in eight weeks left
 * fewer false alerts in M1's and M2's last five weeks, but a pass holds eight weeks only for its last day.
 */
export function familiarMix(s: UserScan, ctx: ScanContext, onset: number, t: number, before: number): boolean {
  const { settings, expensive } = ctx;
  const windowStart = Math.max(0, t - settings.baselineDays);
  const from = mixOnset(s, ctx, onset, t, windowStart, before);
  for (let d = windowStart; d < from; d++)
    if (s.user.events[d] > 0 && onNewMix(settings, premiumShare(s.user, d, expensive), before)) return true;
  return false;
}

/**
 * On a team whose developers try pricier models for a day as ordinary work (ScanContext.mixHabit), day t and the
 * judged active day before it (across at most MAX_IDLE_GAP idle workdays, as reachBack walks) are not both on the new
 * mix. With no cost alarm, such a day opens no model shift there: neither a first day on the mix nor a day back on the
 * old one after it (whose span takes that day in); a second day on the mix does, its onset the first (mixOnset). On
 * bench:detect's model-mix-day teams (Dec 5 2026, before such days were judged by volume: judgedSpend) false alerts
 * per 100 developers a week went 1.3–1.7 → 0.6–1.0 and no other team moved; a real switch there is reported a day
 * later (M2-mix20's $741), and a level shift found by luck as a model shift on a mix day 16 days late (M3-mix15's) is
 * missed.
 */
export function oneMixDay(s: UserScan, ctx: ScanContext, t: number, before: number): boolean {
  if (ctx.mixHabit[t] === 0) return false;
  const onMix = (d: number) => onNewMix(ctx.settings, premiumShare(s.user, d, ctx.expensive), before);
  // reachBack moves off t only when the judged active day before it is on the mix too.
  return !onMix(t) || reachBack(s, ctx.dayClass, t, 0, onMix) === t;
}

/**
 * A model shift began on the first day of the new model mix, not on the first day above the reference that the
 * cost-only search found (issue #12: a busy Friday on the usual mix, z 1.8 at a 30% premium share, became the onset
 * of a switch to 85% premium the next Monday, three days early). A day is on the new mix when its share of spend on
 * expensive models passes the episode's own test (modelShiftMinShareAfter, and modelShiftMinShareRise over the
 * baseline's share). The onset moves forward past leading days on the old mix, and back over the days on the new
 * mix just before it (a share that moved before the cost looked unusual), no further than `from` and across no more
 * than MAX_IDLE_GAP idle workdays. When no day up to t is on the new mix, the cost search's onset stands.
 */
export function mixOnset(
  s: UserScan,
  ctx: ScanContext,
  onset: number,
  t: number,
  from: number,
  before?: number,
): number {
  const { settings, expensive, dayClass } = ctx;
  const base = before ?? 0;
  const shifted = (d: number) => onNewMix(settings, premiumShare(s.user, d, expensive), base);
  let start = onset;
  while (start < t && (s.user.events[start] <= 0 || !shifted(start))) start++;
  if (!shifted(start)) return onset;
  return reachBack(s, dayClass, start, from, shifted);
}
