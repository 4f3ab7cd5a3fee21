/** Small robust-statistics helpers (inputs are not modified). */

// One scratch buffer for the many small medians of a pass (no allocation per call; detection is synchronous).
let scratch = new Float64Array(256);

/** The scratch buffer, at least n long (its first n slots are used: no view is made, it would be one more object). */
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n * 2);
  return scratch;
}

/**
 * The first n values copied into the scratch buffer; true when one of them is NaN or −0, whose place in sorted order only a
 * full sort gives as TypedArray.prototype.sort does (NaN last, −0 before +0).
 */
function copyIn(values: ArrayLike<number>, n: number, into: Float64Array): boolean {
  // (into is the scratch buffer: only its first n slots are written and read)
  let odd = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    into[i] = v;
    if (v !== v || (v === 0 && 1 / v < 0)) odd = true;
  }
  return odd;
}

/**
 * Rearranges a[lo..hi] so that a[k] holds the value a full sort would put there, with none greater before it and
 * none smaller after it (Hoare's selection, median-of-three pivot; insertion sort for the last few). A median needs
 * one or two order statistics, not the whole order: this is what makes the pass's many medians cheap.
 */
function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < a[lo]) swap(a, lo, mid);
    if (a[hi] < a[lo]) swap(a, lo, hi);
    if (a[hi] < a[mid]) swap(a, mid, hi);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) swap(a, i++, j--);
    }
    // a[lo..j] ≤ pivot ≤ a[i..hi], and any slot between j and i holds the pivot's value.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
  for (let i = lo + 1; i <= hi; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** The k-th value in sorted order of the first n values of `a` (rearranged). */
function kth(a: Float64Array, n: number, k: number, odd: boolean): number {
  if (odd) {
    a.subarray(0, n).sort();
    return a[k];
  }
  select(a, k, 0, n - 1);
  return a[k];
}

/** The (k + 1)-th value in sorted order, once kth(a, n, k) has run: the least of those after k. */
function next(a: Float64Array, n: number, k: number, odd: boolean): number {
  if (odd) return a[k + 1]; // sorted
  let least = a[k + 1];
  for (let i = k + 2; i < n; i++) if (a[i] < least) least = a[i];
  return least;
}

/** The middle of the first n values (the mean of the two middle ones for an even n), as sorting them would give. */
function middle(a: Float64Array, n: number, odd: boolean): number {
  const mid = n >> 1;
  if (n % 2 === 1) return kth(a, n, mid, odd);
  const lower = kth(a, n, mid - 1, odd);
  return (lower + next(a, n, mid - 1, odd)) / 2;
}

export function median(values: ArrayLike<number>): number {
  return medianOfFirst(values, values.length);
}

/** The median of the first n values (a reused buffer filled up to n: no array per call in the baseline's hot loop). */
export function medianOfFirst(values: ArrayLike<number>, n: number): number {
  if (n === 0) return Number.NaN;
  const a = scratchOf(n);
  return middle(a, n, copyIn(values, n, a));
}

/** Median absolute deviation scaled to estimate σ for normal data (1.4826 · MAD). */
export function robustScale(values: ArrayLike<number>, center = median(values)): number {
  return robustScaleOfFirst(values, values.length, center);
}

/** robustScale of the first n values. */
export function robustScaleOfFirst(values: ArrayLike<number>, n: number, center: number): number {
  if (n === 0) return Number.NaN;
  const dev = scratchOf(n);
  let odd = false;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(values[i] - center);
    dev[i] = d;
    if (d !== d) odd = true; // |x| is never −0
  }
  return 1.4826 * middle(dev, n, odd);
}

/** The p-quantile (0..1) with linear interpolation. */
export function quantile(values: ArrayLike<number>, p: number): number {
  return quantileOfFirst(values, values.length, p);
}

/** quantile of the first n values (a reused buffer filled up to n); p outside 0..1 or n past the values is an error. */
export function quantileOfFirst(values: ArrayLike<number>, n: number, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be within 0..1, not ${p}`);
  if (n > values.length) throw new RangeError(`quantile: ${n} values asked of ${values.length}`);
  if (n === 0) return Number.NaN;
  const a = scratchOf(n);
  const odd = copyIn(values, n, a);
  const pos = (n - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const low = kth(a, n, lo, odd);
  const high = hi === lo ? low : next(a, n, lo, odd);
  return low + (high - low) * (pos - lo);
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
