/** Which path alarms on a developer's day (a spike, a sustained rise), and the episode it opens, named (classify). */
import type { DetectorName } from './types';
import { tToZ } from './baseline';
import { onNewMix } from './mix-habit';
import type { AlarmPath, DayReading, EpisodeState, ScanContext, Span, UserScan } from './scan-types';
import { SPIKE_SHARE } from './episode';
import { familiarMix, mixOnset, oneMixDay, onNewMixSince } from './mix-shift';
import { changePoint, lightDeveloper, sustainedRun, walkBack } from './rise';
import { activeDays, daysAbove, excessOn, excessSince, peakDay, spanWhy } from './user-days';

/**
 * A day this many times a developer's expected spend is a spike from a lower z (LARGE_SPIKE_Z, not spikeZThreshold):
 * on a noisy developer (log scale 0.5-0.8) an 11-53x day (bench:detect's held-out spikes of $21-$232) reached only
 * z 3.7-4.1 and was missed, since a scale taken from 15-20 days is itself uncertain and the z is discounted for it
 * (tToZ).
 */
export const LARGE_SPIKE_MULTIPLE = 10;

export const LARGE_SPIKE_Z = 3.5;

/**
 * A day's excess began on the first day of the stretch of days above the reference leading up to it (walkBack);
 * recorded on day t as its onset and impact until a sustained run says otherwise.
 */
export function findOnset(s: UserScan, ctx: ScanContext, t: number, floor: number): Span {
  const onset = walkBack(s, t, floor, ctx.settings.onsetZ, ctx.settings.elevatedZ);
  let impact = 0;
  for (let d = onset; d <= t; d++) if (s.user.events[d] > 0) impact += excessOn(s, d);
  s.onset[t] = onset;
  s.impact[t] = Math.max(0, impact);
  return { onset, impact };
}

/**
 * A spike must clear spikeZThreshold and spikeMultiplier × expected and be worth minImpact: strong enough on its
 * own that its z is discounted only for the days behind the scale, not MAD's inefficiency too (that hid
 * part-timers' $50–$150 spikes). Otherwise a sustained excess began when its run did: `span` then moves to it.
 */
export function alarmPath(
  s: UserScan,
  state: EpisodeState,
  ctx: ScanContext,
  day: DayReading,
  span: Span,
): AlarmPath | null {
  const { settings, minImpact } = ctx;
  const { t } = day;
  const zNeeded = day.teamLike ? settings.teamZThreshold : settings.spikeZThreshold;
  const z = tToZ(day.tRaw, day.days);
  const large = !day.teamLike && z >= LARGE_SPIKE_Z && day.x >= LARGE_SPIKE_MULTIPLE * day.expected;
  if (span.impact >= minImpact && (z >= zNeeded || large) && day.x >= settings.spikeMultiplier * day.expected)
    return 'spike';
  const run = sustainedRun(s, t, state.floor, settings.onsetZ, minImpact, ctx.dayClass, ctx.stretch);
  // The CUSUM's own evidence (days above 2σ and a sustained sum) still counts when it built up within a week: on
  // a steady person it is quicker; a sum that crept up over weeks of ordinary days is noise.
  if (
    run.onset < 0 &&
    state.runOnset >= 0 &&
    t - state.runOnset < 7 &&
    state.runImpact >= minImpact &&
    state.cusum >= settings.cusumThreshold &&
    daysAbove(s, t, settings) >= settings.driftDaysAbove
  ) {
    run.onset = Math.min(span.onset, state.runOnset);
    run.impact = state.runImpact;
  }
  // A light developer's rise can be beyond doubt yet worth under minImpact within the window (a ×4 ramp of 60 cents
  // a day adds a dollar or two a day: issue #12's light users found a week after their extra reached $20, or never):
  // its excess is then counted from where the rise began, up to a baseline window back. For a light developer only
  // (lightDeveloper): a heavier one whose rise is worth less than minImpact within the window rose too little to be
  // news, and their earlier ordinary-but-high days must not make up the difference (bench:detect, Dec 3 2026: 8 of
  // the 35 false alerts of the three sets opened this way, 6 of them on developers expecting $2.50-$4.70 a day; 2
  // of those 6 are gone, the other 4 open 1-3 days later on their own window).
  if (run.onset < 0 && run.significant) {
    const from = changePoint(s, t, Math.max(state.floor, t - settings.baselineDays), settings.onsetZ, ctx.dayClass);
    const impact = excessSince(s, from, t);
    if (impact >= minImpact && lightDeveloper(s, from, t, minImpact)) {
      run.onset = from;
      run.impact = impact;
    }
  }
  if (run.onset < 0) return null;
  const start = changePoint(s, t, Math.max(state.floor, t - settings.adaptAfterDays), settings.onsetZ, ctx.dayClass);
  if (start < run.onset) {
    run.onset = start;
    run.impact = excessSince(s, start, t);
  }
  span.onset = run.onset;
  span.impact = run.impact;
  s.onset[t] = span.onset;
  s.impact[t] = Math.max(0, span.impact);
  return 'drift';
}

/**
 * Names the episode that alarms on day t (runaway agent, team z-score for a new user, personal spike, model shift
 * or sustained drift) and opens it; a day with no alarm path that is neither a runaway nor a model shift opens none.
 * A new mix's run (`onMix`: mixRun's span, on a day not elevated) opens a model shift or nothing.
 */
export function classify(
  s: UserScan,
  state: EpisodeState,
  ctx: ScanContext,
  day: DayReading,
  span: Span,
  alarm: AlarmPath | null,
  onMix = false,
): void {
  const { settings } = ctx;
  const { t } = day;
  let { onset, impact } = span;
  const why = spanWhy(s, ctx, onset, t);
  const isRunaway =
    alarm === 'runaway' ||
    (why.headlessShare >= settings.runawayMinHeadlessShare && why.volumeFactor >= settings.runawayMinVolumeFactor);
  const isModelShift =
    onNewMix(settings, why.premiumShareAfter ?? 0, why.premiumShareBefore ?? 0) ||
    (alarm === null && !isRunaway && onNewMixSince(s, ctx, span, t, why.premiumShareBefore ?? 0));
  let path = alarm;
  if (path === null && isRunaway) path = 'runaway';
  if (
    path === null &&
    isModelShift &&
    !familiarMix(s, ctx, onset, t, why.premiumShareBefore ?? 0) &&
    !oneMixDay(s, ctx, t, why.premiumShareBefore ?? 0)
  )
    path = 'model';
  if (path === null || (onMix && path !== 'model')) return;
  if (onMix) {
    s.onset[t] = onset;
    s.impact[t] = Math.max(0, impact);
  }

  // A day whose excess is most of the episode's is a spike, however many mild days the walk-back found before it
  // (issue #12: a one-day $110 spike after a quiet month was called a sustained drift); its onset is that day.
  const peak = peakDay(s, onset, t);
  const concentrated = path === 'spike' && impact > 0 && excessOn(s, peak) >= SPIKE_SHARE * impact;
  if (concentrated && peak === t) {
    onset = t;
    impact = Math.max(0, day.excess);
    s.onset[t] = onset;
    s.impact[t] = impact;
  }
  // The baseline at the onset, or today's when the onset day has none.
  const newAtOnset = s.baseline.newUser(s.baseline.has(onset) ? onset : t);
  let detector: DetectorName;
  if (isRunaway) detector = 'runaway_agent';
  else if (newAtOnset) detector = 'team_zscore';
  else if (path === 'spike' && (activeDays(s, onset, t) <= 2 || concentrated))
    detector = 'personal_spike'; // even when on premium models
  else if (isModelShift) detector = 'model_shift';
  else detector = 'sustained_drift';
  // The days the span took in stay out of the baseline, even those a model shift's onset leaves out.
  let kept = onset;
  if (detector === 'model_shift') {
    const from = mixOnset(s, ctx, onset, t, Math.max(state.floor, t - settings.adaptAfterDays), why.premiumShareBefore);
    if (from !== onset) {
      kept = Math.min(kept, from);
      onset = from;
      impact = excessSince(s, onset, t);
      s.onset[t] = onset;
      s.impact[t] = Math.max(0, impact);
    }
  }
  for (let d = kept; d < t; d++) if (s.user.events[d] > 0) s.flagged[d] = 1;
  state.detector = detector;
  state.normalStreak = 0;
  state.onset = onset;
  state.impact = impact;
  state.cusum = Math.max(state.cusum, settings.cusumThreshold / 2); // outlives one quieter day (a personal spike ends with its day, above)
  s.detector[t] = detector;
}
