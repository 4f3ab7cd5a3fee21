/** A runaway agent's signature: a day's excess mostly headless (background and cloud agent) spend, and its span. */
import { LOG_OFFSET } from './baseline';
import { medianOfFirst } from './stats';
import type { AlarmPath, ScanContext, Span, UserScan } from './scan-types';
import { excessOn, excessSince, reachBack } from './user-days';

/** Headless spend at least this many times the developer's usual, both plus LOG_OFFSET (as spend is judged): with no
 * usual headless spend at all, $2 of it passes this test, and the share of the excess and minImpact decide. */
export const HEADLESS_BURST_FACTOR = 3;

/** Share of a day's spend above expected that must be headless spend above the developer's usual. */
export const HEADLESS_SHARE_OF_EXCESS = 0.5;

/**
 * A runaway agent's signature on day t (a day measured in this scan): headless (background and cloud agent) spend far
 * above the developer's own usual (the median over their active days in the baseline window, anomalous ones left
 * out), making up at least half the day's spend above expected. A runaway agent was found only through the day's
 * total z: on a heavy or noisy developer, $40-$200 of agent spend on a $80-$110 day reached z 1-2.2, under elevatedZ,
 * and its headless share of 45-50% missed the classification's 50% (bench:detect's H5-churn dev0608 and dev0769: $248
 * and $41, never found). Only a day above the reference (z ≥ onsetZ, scanUserDay) opens such an episode: moving work
 * to agents without spending more is not news. Once open, the episode goes on through burst days within the
 * developer's noise, and its onset reaches back over them (burstSpan): the agent was running.
 */
export function headlessBurst(s: UserScan, ctx: ScanContext, t: number): boolean {
  const u = s.user;
  const excess = excessOn(s, t);
  const headless = u.headlessCents[t];
  if (!(excess > 0) || !(headless > 0)) return false;
  const usual = usualHeadless(s, t, ctx.settings.baselineDays);
  return (
    headless - usual >= HEADLESS_SHARE_OF_EXCESS * excess &&
    headless + LOG_OFFSET >= HEADLESS_BURST_FACTOR * (usual + LOG_OFFSET)
  );
}

/** usualHeadless's reused buffer (one call at a time), grown to the longest window seen. */
let headlessBuf = new Float64Array(64);

/** Median headless cents over the developer's active, unflagged days in the window before day t. */
function usualHeadless(s: UserScan, t: number, windowDays: number): number {
  if (headlessBuf.length < windowDays) headlessBuf = new Float64Array(windowDays);
  let n = 0;
  for (let d = Math.max(0, t - windowDays); d < t; d++)
    if (s.user.events[d] > 0 && s.flagged[d] === 0) headlessBuf[n++] = s.user.headlessCents[d];
  return n > 0 ? medianOfFirst(headlessBuf, n) : 0;
}

/**
 * A headless burst's episode: it began on the first day of the burst (back over active days that are bursts too,
 * across at most MAX_IDLE_GAP idle workdays, never before `floor`), not on the first day of whatever rise the
 * walk-back found; it alarms when its spend above expected since then is worth minImpact. Moves `span` to it.
 */
export function burstSpan(s: UserScan, ctx: ScanContext, t: number, floor: number, span: Span): AlarmPath | null {
  const onset = reachBack(s, ctx.dayClass, t, floor, (d) => headlessBurst(s, ctx, d));
  const impact = excessSince(s, onset, t);
  if (impact < ctx.minImpact) return null;
  span.onset = onset;
  span.impact = impact;
  s.onset[t] = onset;
  s.impact[t] = Math.max(0, impact);
  return 'runaway';
}
