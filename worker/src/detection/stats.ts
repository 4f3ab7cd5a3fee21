/** Small robust-statistics helpers (inputs are not modified). */

// One scratch buffer for the many small medians of a pass (no allocation per call; detection is synchronous).
let scratch = new Float64Array(256);

function sortedCopy(values: ArrayLike<number>): Float64Array {
  if (scratch.length < values.length) scratch = new Float64Array(values.length * 2);
  const view = scratch.subarray(0, values.length);
  for (let i = 0; i < values.length; i++) view[i] = values[i];
  return view.sort();
}

function middle(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  return middle(sortedCopy(values));
}

/** Median absolute deviation scaled to estimate σ for normal data (1.4826 · MAD). */
export function robustScale(values: ArrayLike<number>, center = median(values)): number {
  if (values.length === 0) return Number.NaN;
  if (scratch.length < values.length) scratch = new Float64Array(values.length * 2);
  const dev = scratch.subarray(0, values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i] - center);
  return 1.4826 * middle(dev.sort());
}

/** The p-quantile (0..1) with linear interpolation. */
export function quantile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const pos = (n - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

export function stdDev(values: ArrayLike<number>, avg = mean(values)): number {
  if (values.length < 2) return 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i] - avg) ** 2;
  return Math.sqrt(sum / values.length);
}
