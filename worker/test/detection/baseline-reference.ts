/**
 * userBaseline as it was before it wrote into BaselineDays (main at 3680196): arrays per call, one object per day,
 * with the older block of the scale added since (each class of the baselineDays before the window's, the days before
 * the series from UserSeries.olderLog), the days before the window that stand in for anomalous ones when the window
 * has too few clean days, the level pooled with that older block's as far as the two agree, and the scale widened to
 * the upper tail of the deviations (a developer's regular busy days). The straightforward
 * reference baseline-days.test.ts compares the buffered version with, bit for bit.
 */
import type { Settings } from '../../src/settings/schema';
import { classOfDay, type SeriesSet, type UserSeries } from '../../src/detection/series';
import {
  logSpend,
  MEDIAN_VARIANCE,
  MIN_SCALE,
  NEW_USER_GRACE_DAYS,
  type Baseline,
  type TeamPrior,
} from '../../src/detection/baseline';
import { personalScale } from '../../src/detection/personal-scale';
import { median, quantile } from '../../src/detection/stats';

const MIN_SPARSE_DAYS = 5;
const MIN_CLEAN_DAYS = 8;
const MIN_LEVEL_DAYS = 5;
const LEVEL_AGREEMENT_SE = 2;
const MAD_EFFICIENCY = 0.37;
const TEAM_HIGH_Z = 1.28;

function pooledDeviations(own: number[], other: number[]): number[] {
  const out: number[] = [];
  if (own.length >= 2) {
    const c = median(own);
    for (const v of own) out.push(v - c);
  }
  if (other.length >= 3) {
    const c = median(other);
    for (const v of other) out.push(v - c);
  }
  return out;
}

/**
 * Each class's active days in [from, to) (below 0: UserSeries.olderLog) around that class's median, class 0 first;
 * and each class's median and count (count 0 for a class with fewer than 3 days).
 */
function olderBlock(
  u: UserSeries,
  series: SeriesSet,
  from: number,
  to: number,
): { deviations: number[]; median: number[]; count: number[] } {
  const len = u.olderLog.length;
  const byClass: number[][] = [[], []];
  for (let d = Math.max(from, -len); d < to; d++) {
    // in single precision, as UserSeries.olderLog keeps the days before the window
    const v = d < 0 ? u.olderLog[d + len] : u.events[d] > 0 ? Math.fround(logSpend(u.cents[d])) : Number.NaN;
    if (!Number.isNaN(v)) byClass[classOfDay(series, d)].push(v);
  }
  const out = { deviations: [] as number[], median: [Number.NaN, Number.NaN], count: [0, 0] };
  byClass.forEach((values, cls) => {
    if (values.length < 3) return;
    const c = median(values);
    out.median[cls] = c;
    out.count[cls] = values.length;
    for (const v of values) out.deviations.push(v - c);
  });
  return out;
}

export function referenceBaseline(
  u: UserSeries,
  t: number,
  series: SeriesSet,
  prior: TeamPrior,
  flagged: Uint8Array,
  settings: Settings,
): Baseline | null {
  const cls = series.dayClass[t];
  const from = Math.max(0, t - settings.baselineDays);
  const own: number[] = [];
  const other: number[] = [];
  const events: number[] = [];
  const tokens: number[] = [];
  let history = 0; // every active day counts as history, anomalous or not
  let usable = 0;
  for (let d = from; d < t; d++) {
    if (u.events[d] <= 0) continue;
    history++;
    if (!(flagged[d] === 1 && t - d <= settings.adaptAfterDays)) usable++;
  }
  // Too few clean days: the latest active days before the window (past adaptAfterDays) make up the difference; when
  // even those fall short, the anomalous days are used too.
  const fill: { v: number; cls: number }[] = [];
  if (usable < MIN_CLEAN_DAYS && history > 0) {
    const len = u.olderLog.length;
    for (
      let d = Math.min(from, t - settings.adaptAfterDays) - 1;
      d >= Math.max(from - settings.baselineDays, -len);
      d--
    ) {
      const v = d < 0 ? u.olderLog[d + len] : u.events[d] > 0 ? Math.fround(logSpend(u.cents[d])) : Number.NaN;
      if (!Number.isNaN(v) && fill.length < MIN_CLEAN_DAYS - usable) fill.push({ v, cls: classOfDay(series, d) });
    }
  }
  const skipFlagged = usable + fill.length >= MIN_CLEAN_DAYS;
  for (let d = from; d < t; d++) {
    if (u.events[d] <= 0) continue;
    if (skipFlagged && flagged[d] === 1 && t - d <= settings.adaptAfterDays) continue;
    const v = logSpend(u.cents[d]);
    if (series.dayClass[d] === cls) {
      own.push(v);
      events.push(u.events[d]);
      tokens.push(u.tokens[d]);
    } else other.push(v);
  }
  const teamCenter = prior.center[cls][t];
  // How much the person varies day to day, from both classes of day (each around its own median): a weekend's
  // four or five days alone make a scale too narrow to trust.
  const recent = pooledDeviations(own, other);
  const block = recent.length >= 3 ? olderBlock(u, series, t - 2 * settings.baselineDays, from) : null;
  const spread = block ? [...recent, ...block.deviations] : recent;
  // The window's own clean days of this class, before anything makes up for held ones.
  const windowOwn = [...own];
  // The days before the window that made up for anomalous ones count towards the level, not the spread.
  if (skipFlagged) for (const f of fill) (f.cls === cls ? own : other).push(f.v);
  // Too few days of this class: use the other class, shifted by the team's difference between the two.
  const borrowed = own.length < 3 && other.length > 0;
  if (borrowed) {
    const shift = teamCenter - prior.center[1 - cls][t];
    for (const v of other) own.push(Number.isNaN(shift) ? v : v + shift);
  }
  const n = own.length;
  if (n === 0 && Number.isNaN(teamCenter)) return null;
  // New: little history AND first seen recently (after the data began: someone active from the first collected
  // day is not a new hire, we just have not watched them long). New users lean on the team's level and spread;
  // "sparse" ones (thin history, not new) are judged on their own level, and not at all with under 3 days.
  const firstSeen = u.firstSeenDay ?? series.days[u.firstActive];
  // Someone first seen in the first week of our data is not new (issue #12: data that begins on a Saturday made
  // every Monday-starting power user "new", and flagged as far above the team): we had just not watched them yet.
  const watchedFrom =
    series.days[Math.min(t, Math.max(series.dataStart + NEW_USER_GRACE_DAYS, t - settings.baselineDays))];
  const thin = history < settings.newUserDays;
  const newUser = thin && firstSeen > watchedFrom;
  // Someone back after a month or more away has no level of their own to compare with: the team's stands in (issue
  // #12: a $110 day after a quiet month was not judged at all, and the days after it were called a drift).
  const returning = !newUser && history === 0 && !Number.isNaN(teamCenter);
  // Days of both classes count towards MIN_SPARSE_DAYS; under it of the day's class, the baseline is a sparse one.
  const sparse = thin && !newUser && !returning && n < MIN_SPARSE_DAYS;
  if (sparse && (borrowed || n + other.length < MIN_SPARSE_DAYS)) return null;
  const teamLike = newUser || returning;
  // Nothing is judged in the first week of data: neither the user's level nor the team's is known yet (issue #12:
  // most false alerts of a fresh install came from days judged on two or three days of history).
  if (t < series.dataStart + NEW_USER_GRACE_DAYS) return null;
  const k = settings.shrinkageDays;
  const ownCenter = n > 0 ? median(own) : 0;
  // The upper tail's σ (its 90th percentile over a normal's, at 0.8), with 10 deviations or more.
  const upperTail = spread.length >= 10 ? (quantile(spread, 0.9) / 1.2816) * 0.8 : 0;
  const ownScale = spread.length >= 3 ? Math.max(personalScale(spread), upperTail) : 0;
  // Someone without a level of their own is compared with the team's heavy users (its 90th percentile), not its
  // median, on the class of day where those spend more.
  const heavy = (c: number) =>
    Number.isNaN(prior.center[c][t])
      ? Number.NEGATIVE_INFINITY
      : prior.center[c][t] + (Number.isNaN(prior.spread[c][t]) ? 0 : TEAM_HIGH_Z * prior.spread[c][t]);
  const heavyCls = teamLike && heavy(1 - cls) > heavy(cls) ? 1 - cls : cls;
  const teamSpread = prior.spread[heavyCls][t];
  const priorCenter = Number.isNaN(teamCenter) ? ownCenter : teamLike ? heavy(heavyCls) : teamCenter;
  const priorScale = teamLike && !Number.isNaN(teamSpread) ? teamSpread : prior.personalScale;
  const ownWeight = recent.length >= 3 ? recent.length : 0; // fewer than 3 days say nothing about spread
  // Only new users have their level pulled towards the team's: anyone else's own median is the truth about them
  // (pulling a heavy user down would flag them every day: the original's power-user noise).
  const kc = settings.newUserPriorDays;
  // The level also reads the block before the window, as far as the window's clean days of this class agree with it
  // (its days weigh m · (1 − r²), r the medians' difference in 2 standard errors); the block then stands in for any
  // days that made up for held ones.
  const nWindow = windowOwn.length;
  const olderDays = block ? block.count[cls] : 0;
  const windowMedian = nWindow >= 2 ? median(windowOwn) : Number.NaN;
  let olderWeight = 0;
  if (!teamLike && nWindow >= 2 && olderDays >= MIN_LEVEL_DAYS && ownScale > 0) {
    const apart =
      (windowMedian - block!.median[cls]) /
      (LEVEL_AGREEMENT_SE * ownScale * Math.sqrt(MEDIAN_VARIANCE * (1 / nWindow + 1 / olderDays)));
    if (apart * apart < 1) olderWeight = Math.round(olderDays * (1 - apart * apart));
  }
  const levelDays = olderWeight > 0 ? nWindow + olderWeight : n;
  const ownLevel =
    olderWeight > 0 ? (nWindow * windowMedian + olderWeight * block!.median[cls]) / levelDays : ownCenter;
  const center = teamLike ? (n * ownCenter + kc * priorCenter) / (n + kc || 1) : ownLevel;
  // A median of n days is itself uncertain (variance ≈ π/2 · σ²/n): a new day is judged against that too.
  const scale =
    // The team's typical spread guards against a too-narrow own scale; it never narrows a noisy person's.
    Math.max(MIN_SCALE, ownScale, (ownWeight * ownScale + k * priorScale) / (ownWeight + k || 1)) *
    (teamLike ? 1 : Math.sqrt(1 + MEDIAN_VARIANCE / Math.max(3, levelDays)));
  return {
    center: teamLike && n + kc === 0 ? priorCenter : center,
    scale,
    ownDays: levelDays,
    dof: MAD_EFFICIENCY * ownWeight + k,
    days: ownWeight + k,
    newUser,
    returning,
    sparse,
    events: events.length > 0 ? median(events) : 0,
    tokens: tokens.length > 0 ? median(tokens) : 0,
  };
}
