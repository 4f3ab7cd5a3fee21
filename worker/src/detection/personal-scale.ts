/**
 * How much a developer varies from day to day, from their deviations around their own medians (log spend): the scale
 * a day is judged against (userBaseline). Pure.
 */
import { quantileOfFirst, robustScaleOfFirst } from './stats';

/** Deviations beyond this many MAD-σ count only up to it in the winsorized standard deviation. */
const WINSOR_AT = 2.5;

/**
 * How much a person varies day to day, from their deviations around their medians: the larger of the MAD's σ and
 * the standard deviation with each deviation clipped at WINSOR_AT MAD-σ. The MAD of 15–20 days is only 37% efficient:
 * a window that is by chance tight around its median halves a noisy developer's scale, and their next ordinary high
 * days read as a drift (5 of the 11 false alerts of bench:detect's T4-churn). The clipped standard deviation sees the
 * spread of all the days, while one extreme day still cannot widen it beyond WINSOR_AT MAD-σ of its own.
 */
export function personalScale(deviations: number[]): number {
  return personalScaleOfFirst(deviations, deviations.length);
}

/** personalScale of the first n deviations (userBaseline's reused buffer). */
export function personalScaleOfFirst(deviations: ArrayLike<number>, n: number): number {
  const mad = robustScaleOfFirst(deviations, n, 0);
  if (n < 3 || !(mad > 0)) return mad;
  const cap = WINSOR_AT * mad;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.max(-cap, Math.min(cap, deviations[i]));
    sum += w * w;
  }
  return Math.max(mad, Math.sqrt(sum / (n - 1)));
}

/** The upper tail is read at this quantile of a developer's deviations, a normal's 1.2816 σ (UPPER_TAIL_Z). */
const UPPER_TAIL_QUANTILE = 0.9;
const UPPER_TAIL_Z = 1.2816;
/**
 * The upper tail's σ counts at this share: a normal developer's, which matches their σ on average, then seldom widens
 * it (bench:detect's tuning teams: the same finds and delays at 0.8, one false alert in two fewer; at 0.9 two finds
 * fewer and ten days' more delay).
 */
const UPPER_TAIL_WEIGHT = 0.8;
/** Deviations needed before their 90th percentile says anything. */
const MIN_UPPER_TAIL_DAYS = 10;

/**
 * A σ read from the upper tail of a developer's deviations (their 90th percentile over a normal's 1.2816, times
 * UPPER_TAIL_WEIGHT), 0 with fewer than MIN_UPPER_TAIL_DAYS. The median absolute deviation is blind to a developer's
 * regular busy days (Dec 4 2026: with one day in five at 2-4 times their usual, the median and MAD read only the other
 * days), so those days read as z 3-4, and two in a row as a drift. The 90th percentile lies among the busy days and
 * widens the scale for such a developer; on a normal one it falls under the winsorized σ and changes nothing. Without
 * it, bench:detect's R2-busy20 (one day in five busy) had 0.56 false alerts per 100 developers a week.
 */
export function upperTailScale(deviations: ArrayLike<number>, n: number): number {
  if (n < MIN_UPPER_TAIL_DAYS) return 0;
  return (quantileOfFirst(deviations, n, UPPER_TAIL_QUANTILE) / UPPER_TAIL_Z) * UPPER_TAIL_WEIGHT;
}

/**
 * The developer's scale from the first n deviations: the winsorized σ, or the upper tail's when that is wider (a
 * developer with regular busy days).
 */
export function developerScaleOfFirst(deviations: ArrayLike<number>, n: number): number {
  return Math.max(personalScaleOfFirst(deviations, n), upperTailScale(deviations, n));
}
