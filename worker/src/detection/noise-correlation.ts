import type { SeriesSet } from './series';
import { logSpend } from './log-spend';
import { medianOfFirst, robustScaleOfFirst } from './stats';

/** Active days a developer needs in the window to count towards the team's noise correlation. */
const MIN_ACTIVE_DAYS = 10;
/** A day's standardized deviation is clamped to this many robust scales: one spike must not make a stretch. */
const RESIDUAL_CLAMP = 3;
/** Pairs of neighbouring active days a developer needs for a correlation of their own. */
const MIN_DEVELOPER_PAIRS = 10;
/** Developers with a correlation of their own the team needs before its correlation is read at all. */
const MIN_DEVELOPERS = 10;
/** Developers read at most (every stride-th of a larger team). */
const MAX_DEVELOPERS_READ = 2_000;
/** Developers active on a day needed before the team's effect that day is taken off (as MIN_TEAM_USERS in scan.ts). */
const MIN_DAY_USERS = 8;

// Reused buffers (one call at a time): a developer's active days, their log spend, and their deviations.
let dayBuf = new Int32Array(128);
let logBuf = new Float64Array(128);
let classBuf = new Float64Array(128);

/**
 * How much a developer's day resembles the day before beyond their usual level, for the median developer of the team:
 * each developer's lag-1 autocorrelation of log spend over pairs of neighbouring calendar days both active, from the
 * window's first day to the day before the pass's (today is partial in an hourly pass). A developer's days are taken around the median of
 * their class of day (workday, weekend), over their robust scale, clamped to ±RESIDUAL_CLAMP; their correlation is
 * Σ r(d)·r(d+1) over Σ (r(d)² + r(d+1)²) / 2, read with and without each day's median over the team taken off, the
 * smaller of the two counting (lagOneCorrelation). One developer's few dozen pairs give it ± 0.2; the median of a
 * team's developers is steady, and a minority of them in a level shift or ramp of their own moves it little (a third of
 * a fixture team at three times its spend for twenty days: 0.03-0.12; the pooled correlation of every developer's pairs,
 * a first version, read 0.2-0.3). The median is a switch at half the team: a minority in stretches is credited next to
 * nothing, a majority credits every developer (40 developers, a share of them at 0.8: 30% read 0-0.13, 55% 0.25-0.32).
 *
 * Spend drawn day by day on its own (every bench:detect team before Dec 5 2026) reads 0-0.12 over every pass (the most:
 * T9-power's). A team whose good and bad stretches last a few days (a hard project, a quiet week) reads 0.10-0.34 when
 * generated at 0.4 (A4-ar40), 0.32-0.43 at 0.5, 0.42-0.53 at 0.6 and 0.52-0.63 at 0.7; then several days above the usual are ordinary,
 * and a test that adds up days' evidence as independent saw drifts in them (bench:detect's stretch teams). Returns 0
 * (not negative: alternation would only make sums safer) with fewer than MIN_DEVELOPERS developers of their own reading.
 */
export function measuredCorrelation(series: SeriesSet): number {
  // Today is left out: an hourly pass sees only part of it.
  const n = series.asOfIdx;
  if (n < 2) return 0;
  if (dayBuf.length < n) {
    dayBuf = new Int32Array(n);
    logBuf = new Float64Array(n);
    classBuf = new Float64Array(n);
  }
  const users = series.users.length;
  // A team of more than MAX_DEVELOPERS_READ is read from every stride-th developer: a median of 2,000 is as steady, and
  // at 20,000 developers the reading took 190 ms of a pass.
  const stride = Math.ceil(users / MAX_DEVELOPERS_READ);
  // Each counted developer's median of each class of day (NaN: not counted). Residuals are computed again where
  // needed rather than kept: at 20,000 developers a pass keeps no array per developer for this.
  const center = new Float64Array(2 * users).fill(Number.NaN);
  for (let u = 0; u < users; u += stride) {
    const events = series.users[u].events;
    const spend = series.users[u].cents;
    let active = 0;
    for (let d = 0; d < n; d++) {
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
  }
  const deviation = (u: number, d: number) => logSpend(series.users[u].cents[d]) - center[2 * u + series.dayClass[d]];
  // What the whole team did that day (a price change, a holiday) is no developer's stretch: each day's median
  // deviation (in log spend, as a price change moves everyone's alike) comes off first.
  const dayEffect = new Float64Array(n);
  const sameDay = new Float64Array(users);
  for (let d = 0; d < n; d++) {
    let m = 0;
    for (let u = 0; u < users; u += stride)
      if (!Number.isNaN(center[2 * u]) && series.users[u].events[d] > 0) sameDay[m++] = deviation(u, d);
    dayEffect[d] = m >= MIN_DAY_USERS ? medianOfFirst(sameDay, m) : 0;
  }
  // Each developer's correlation over their own pairs, read twice: their deviations as they are, and less the day's
  // effect; the smaller counts. A stretch of their own shows both ways. A price change moves everyone's days alike
  // and shows only as they are; a group's own level shift (a third of the team took to agents) moves the day's median
  // and so shows in everyone else's days only less the day's effect. The team's is the median developer's, so that a
  // minority in a level shift of their own does not read as everyone's stretch.
  const perDeveloper = new Float64Array(users);
  let counted = 0;
  for (let u = 0; u < users; u += stride) {
    if (Number.isNaN(center[2 * u])) continue;
    const events = series.users[u].events;
    let least = Number.POSITIVE_INFINITY;
    for (const effect of [0, 1]) {
      let active = 0;
      for (let d = 0; d < n; d++) {
        if (events[d] <= 0) continue;
        dayBuf[active] = d;
        classBuf[active++] = deviation(u, d) - effect * dayEffect[d];
      }
      const r = lagOneCorrelation(active);
      least = Number.isNaN(r) ? Number.NaN : Math.min(least, r);
      if (Number.isNaN(least)) break;
    }
    if (!Number.isNaN(least)) perDeveloper[counted++] = least;
  }
  return counted >= MIN_DEVELOPERS ? Math.max(0, medianOfFirst(perDeveloper, counted)) : 0;
}

/**
 * The lag-1 correlation of the first `active` values of classBuf, on the days in dayBuf: over pairs of neighbouring
 * calendar days, around their median and over their robust scale, clamped to ±RESIDUAL_CLAMP; NaN with fewer than
 * MIN_DEVELOPER_PAIRS pairs or no spread.
 */
function lagOneCorrelation(active: number): number {
  if (active < 2) return Number.NaN;
  const middle = medianOfFirst(classBuf, active);
  const scale = robustScaleOfFirst(classBuf, active, middle);
  if (!(scale > 0)) return Number.NaN;
  const at = (i: number) => Math.max(-RESIDUAL_CLAMP, Math.min(RESIDUAL_CLAMP, (classBuf[i] - middle) / scale));
  let products = 0;
  let squares = 0;
  let pairs = 0;
  for (let i = 1; i < active; i++) {
    if (dayBuf[i] !== dayBuf[i - 1] + 1) continue;
    const a = at(i - 1);
    const b = at(i);
    products += a * b;
    squares += (a * a + b * b) / 2;
    pairs++;
  }
  return pairs >= MIN_DEVELOPER_PAIRS && squares > 0 ? products / squares : Number.NaN;
}

/** Below this measured correlation none is credited, from CREDIT_FROM + CREDIT_RAMP all of it (linear between). */
const CREDIT_FROM = 0.1;
const CREDIT_RAMP = 0.2;

/**
 * The noise correlation detection credits the team with: measuredCorrelation, none of it under 0.1, all of it from
 * 0.3, in proportion between. Teams whose days are independent read up to 0.12 (bench:detect's tuning teams, every
 * pass): a developer's level shift or ramp is a stretch too, and the estimate has its own noise. Crediting that much
 * cost them finds (a first version, which credited every reading, pooled every developer's pairs and also counted
 * each pair of days' correlation in the sums: T4-churn lost a level shift, T6-churn's slowest find came 14 days later).
 * Teams with stretches read 0.10-0.63. The ramp keeps the credit continuous as a reading moves from one pass to the next.
 */
export function noiseCorrelation(series: SeriesSet): number {
  return creditedCorrelation(measuredCorrelation(series));
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
