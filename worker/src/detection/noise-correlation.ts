import type { SeriesSet } from './series';
import { logSpend } from './log-spend';
import { medianOfFirst, robustScaleOfFirst } from './stats';

/** Active days a developer needs in the window to count towards the team's noise correlation. */
const MIN_ACTIVE_DAYS = 10;
/** A day's standardized residual is clamped to this many robust scales: one spike must not make a stretch. */
const RESIDUAL_CLAMP = 3;
/** Pairs of neighbouring active days the team needs before its correlation is read at all. */
const MIN_PAIRS = 200;
/** Developers active on a day needed before the team's effect that day is taken off (as MIN_TEAM_USERS in scan.ts). */
const MIN_DAY_USERS = 8;

// Reused buffers (one call at a time): a developer's active days and their log spend.
let dayBuf = new Int32Array(128);
let logBuf = new Float64Array(128);
let classBuf = new Float64Array(128);

/**
 * How much a developer's day resembles the day before beyond their usual level: the team's pooled lag-1
 * autocorrelation of standardized log spend, over pairs of neighbouring calendar days both active, from `from` on.
 * Each developer's days are centred on the median of their class of day (workday, weekend) and divided by their
 * robust scale, clamped to ±RESIDUAL_CLAMP; the correlation is Σ r(d)·r(d+1) over Σ (r(d)² + r(d+1)²) / 2. Pooled over
 * the team because one developer's few dozen pairs give it ± 0.2; a team's thousands give it ± 0.02.
 *
 * Spend drawn day by day on its own (every bench:detect team before Dec 5 2026) reads near 0. A developer whose good
 * and bad stretches last a few days (a hard project, a quiet week) reads 0.4–0.7, and then several days above their
 * usual are ordinary: a test that adds up days' evidence as independent saw drifts in them (bench:detect's stretch
 * teams, A1 and A2). A lasting level shift or ramp reads as correlation too; with a few developers of a team in one,
 * the pooled figure hardly moves. Returns 0 (not negative: alternation would only make sums safer) when there are
 * fewer than MIN_PAIRS pairs.
 */
export function measuredCorrelation(series: SeriesSet, cents: ArrayLike<number>[], from: number): number {
  const n = series.days.length;
  const start = Math.max(0, from);
  if (n - start < 2) return 0;
  if (dayBuf.length < n) {
    dayBuf = new Int32Array(n);
    logBuf = new Float64Array(n);
    classBuf = new Float64Array(n);
  }
  const users = series.users.length;
  // Each counted developer's median of each class of day and robust scale (NaN: not counted). Residuals are
  // computed again where needed rather than kept: at 20,000 developers a pass keeps no array per developer for this.
  const center = new Float64Array(2 * users);
  const scale = new Float64Array(users).fill(Number.NaN);
  for (let u = 0; u < users; u++) {
    const events = series.users[u].events;
    const spend = cents[u];
    let active = 0;
    for (let d = start; d < n; d++) {
      if (events[d] <= 0) continue;
      dayBuf[active] = d;
      logBuf[active++] = logSpend(spend[d]);
    }
    if (active < MIN_ACTIVE_DAYS) continue;
    for (let c = 0; c < 2; c++) {
      let m = 0;
      for (let i = 0; i < active; i++) if (series.dayClass[dayBuf[i]] === c) classBuf[m++] = logBuf[i];
      center[2 * u + c] = m > 0 ? medianOfFirst(classBuf, m) : 0;
    }
    for (let i = 0; i < active; i++) classBuf[i] = logBuf[i] - center[2 * u + series.dayClass[dayBuf[i]]];
    const spread = robustScaleOfFirst(classBuf, active, 0);
    if (spread > 0) scale[u] = spread;
  }
  const residual = (u: number, d: number) => (logSpend(cents[u][d]) - center[2 * u + series.dayClass[d]]) / scale[u];
  // What the whole team did that day (a price change, a holiday) is no developer's stretch: each day's median
  // residual comes off first.
  const dayEffect = new Float64Array(n);
  const sameDay = new Float64Array(users);
  for (let d = start; d < n; d++) {
    let m = 0;
    for (let u = 0; u < users; u++)
      if (!Number.isNaN(scale[u]) && series.users[u].events[d] > 0) sameDay[m++] = residual(u, d);
    dayEffect[d] = m >= MIN_DAY_USERS ? medianOfFirst(sameDay, m) : 0;
  }
  let products = 0;
  let squares = 0;
  let pairs = 0;
  for (let u = 0; u < users; u++) {
    if (Number.isNaN(scale[u])) continue;
    const events = series.users[u].events;
    let before = Number.NaN; // the day before's clamped residual, NaN when idle
    for (let d = start; d < n; d++) {
      if (events[d] <= 0) {
        before = Number.NaN;
        continue;
      }
      const r = Math.max(-RESIDUAL_CLAMP, Math.min(RESIDUAL_CLAMP, residual(u, d) - dayEffect[d]));
      if (!Number.isNaN(before)) {
        products += before * r;
        squares += (before * before + r * r) / 2;
        pairs++;
      }
      before = r;
    }
  }
  return pairs >= MIN_PAIRS && squares > 0 ? Math.max(0, products / squares) : 0;
}

/** Below this measured correlation none is credited, from CREDIT_FROM + CREDIT_RAMP all of it (linear between). */
const CREDIT_FROM = 0.1;
const CREDIT_RAMP = 0.2;

/**
 * The noise correlation detection credits the team with: measuredCorrelation, none of it under 0.1, all of it from
 * 0.3, in proportion between. Teams whose days are independent read up to 0.12 (bench:detect's tuning teams; 0.15 on
 * a held-out team of 50): their level shifts and ramps are stretches too, and the estimate has its own noise. Crediting
 * that much cost them finds (a correlation of 0.05-0.15 makes every sum's bar a little higher: T4-churn lost a level
 * shift, T6-churn's slowest find came 14 days later). Teams with stretches read 0.3-0.6. The ramp keeps the credit
 * continuous as a team's reading moves from one pass to the next.
 */
export function noiseCorrelation(series: SeriesSet, cents: ArrayLike<number>[], from: number): number {
  return creditedCorrelation(measuredCorrelation(series, cents, from));
}

/** The share of a measured correlation that is credited (noiseCorrelation). */
export function creditedCorrelation(measured: number): number {
  return measured * Math.min(1, Math.max(0, (measured - CREDIT_FROM) / CREDIT_RAMP));
}

/**
 * How much more a median of days whose noise is correlated ρ with the day before errs than one of independent days
 * (the long-run variance of an AR(1) over its marginal one): (1 + ρ) / (1 − ρ), ρ taken at most 0.9. A baseline of
 * n such days knows the level and the spread as well as n / stretchFactor(ρ) independent days would.
 */
export function stretchFactor(rho: number): number {
  const r = Math.min(0.9, Math.max(0, rho));
  return (1 + r) / (1 - r);
}
