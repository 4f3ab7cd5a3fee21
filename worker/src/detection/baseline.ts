import type { Settings } from '../settings/schema';
import { classOfDay, olderSpend, type SeriesSet, type UserSeries } from './series';
import { developerScaleOfFirst } from './personal-scale';
import { median, medianOfFirst, robustScale } from './stats';
import { logSpend } from './log-spend';
import { noiseCorrelation, stretchFactor } from './noise-correlation';

export { LOG_OFFSET, logSpend, fromLog } from './log-spend';
/** The narrowest robust scale a baseline may have (≈ ±20%): nobody's daily spend is steadier than that, and a
 * median/MAD over a few weeks underestimates the spread. */
export const MIN_SCALE = 0.2;

/** Days after the data begins during which a first-seen user is an existing one we had not watched yet. */
export const NEW_USER_GRACE_DAYS = 7;

/** Active days of their own (of both classes) a user with thin history (not new) needs before being judged at all;
 * with three or four of the day's class (fewer borrow the other class's days), their baseline is SPARSE_BASELINE. */
const MIN_SPARSE_DAYS = 5;

/** Fewer clean (not anomalous) days than this in the window: days before it make up the difference, or when there
 * are too few of those, the baseline uses the anomalous ones too. */
const MIN_CLEAN_DAYS = 8;
/** Days of the class the block before the window needs for its level to be pooled with the window's. */
const MIN_LEVEL_DAYS = 5;
/**
 * How far apart (in standard errors of their difference) the window's median and the older block's may be and the
 * older still add to the level (olderLevelWeight): two, so a level that moved by a 95% test reads the window alone. On
 * bench:detect's nine tuning teams (Dec 4 2026) with the taper: 1.5 gave one false alert more and later finds than 2,
 * 3 the same as 2. (A first version, a cut that also counted the days making up for held ones twice: 1 found 5 more
 * anomalies than none, 2 found 6, 3 and more 8-9 with more of them late.)
 */
const LEVEL_AGREEMENT_SE = 2;

export interface TeamPrior {
  /** Team median log spend of an active user-day, per day index and class. */
  center: Float64Array[];
  /** Spread of log spend across the team (robust σ), per day index and class. */
  spread: Float64Array[];
  /** Median of established users' own robust scales: how much a typical person varies day to day. */
  personalScale: number;
  /** The team's day-to-day noise correlation (noiseCorrelation): 0 when each day's noise is its own. */
  noiseCorrelation: number;
}

/** Per-day team distributions, then for each day the median over the previous teamZWindowDays days of its class. */
export function teamPrior(series: SeriesSet, settings: Settings, fromIdx: number): TeamPrior {
  const n = series.days.length;
  const dayCenter = new Float64Array(n).fill(Number.NaN);
  const daySpread = new Float64Array(n).fill(Number.NaN);
  const values: number[] = [];
  for (let d = 0; d < n; d++) {
    values.length = 0;
    for (const u of series.users) if (u.events[d] > 0) values.push(logSpend(u.cents[d]));
    if (values.length === 0) continue;
    dayCenter[d] = median(values);
    daySpread[d] = values.length >= 3 ? robustScale(values, dayCenter[d]) : Number.NaN;
  }
  const center = [new Float64Array(n).fill(Number.NaN), new Float64Array(n).fill(Number.NaN)];
  const spread = [new Float64Array(n).fill(Number.NaN), new Float64Array(n).fill(Number.NaN)];
  for (let t = fromIdx; t < n; t++) {
    for (const cls of [0, 1]) {
      const c: number[] = [];
      const s: number[] = [];
      for (let d = Math.max(0, t - settings.teamZWindowDays); d < t; d++) {
        if (series.dayClass[d] !== cls || Number.isNaN(dayCenter[d])) continue;
        c.push(dayCenter[d]);
        if (!Number.isNaN(daySpread[d])) s.push(daySpread[d]);
      }
      if (c.length > 0) center[cls][t] = median(c);
      if (s.length > 0) spread[cls][t] = median(s);
    }
    // A class with no team history yet (a first weekend) borrows the other class's.
    for (const cls of [0, 1]) {
      if (Number.isNaN(center[cls][t])) center[cls][t] = center[1 - cls][t];
      if (Number.isNaN(spread[cls][t])) spread[cls][t] = spread[1 - cls][t];
    }
  }
  return {
    center,
    spread,
    personalScale: typicalPersonalScale(series),
    noiseCorrelation: noiseCorrelation(series),
  };
}

function typicalPersonalScale(series: SeriesSet): number {
  const scales: number[] = [];
  const values: number[] = [];
  for (const u of series.users) {
    values.length = 0;
    for (let d = 0; d < series.asOfIdx; d++)
      if (u.events[d] > 0 && series.dayClass[d] === 0) values.push(logSpend(u.cents[d]));
    if (values.length >= 8) scales.push(robustScale(values));
  }
  return scales.length > 0 ? Math.max(MIN_SCALE, median(scales)) : 0.5;
}

/** Statistical efficiency of the median absolute deviation against the standard deviation for normal data. */
const MAD_EFFICIENCY = 0.37;

/**
 * A Student t with `dof` degrees of freedom as the normal z of the same tail probability (the Wallace/Bailey
 * approximation z = sqrt((ν − ½) · ln(1 + t²/ν))), so that thresholds mean the same however little history there is.
 */
export function tToZ(t: number, dof: number): number {
  if (!Number.isFinite(dof) || dof <= 0.5 || Number.isNaN(t)) return t;
  return Math.sign(t) * Math.sqrt((dof - 0.5) * Math.log1p((t * t) / dof));
}

/** The team's 90th percentile in robust σ above its median: where a newcomer is judged from. */
const TEAM_HIGH_Z = 1.28;

/** The team's heavy users' level (its 90th percentile) on day t's days of class cls; −∞ when unknown. */
function heavyLevel(prior: TeamPrior, cls: number, t: number): number {
  const center = prior.center[cls][t];
  const spread = prior.spread[cls][t];
  if (Number.isNaN(center)) return Number.NEGATIVE_INFINITY;
  return center + (Number.isNaN(spread) ? 0 : TEAM_HIGH_Z * spread);
}

/** Variance of a sample median relative to σ²/n for normal data (π/2). */
export const MEDIAN_VARIANCE = Math.PI / 2;

/**
 * Reused buffers of userBaseline (detection is synchronous; one call at a time): it runs once per developer and
 * evaluated day, and arrays of its own per call were most of a pass's garbage. Each is filled from index 0 up to a
 * count kept by the call; they grow when a window is longer than any before.
 */
let ownBuf = new Float64Array(64);
let otherBuf = new Float64Array(64);
let eventsBuf = new Float64Array(64);
let tokensBuf = new Float64Array(64);
let spreadBuf = new Float64Array(128);
let olderBuf = new Float64Array(64);
let olderOtherBuf = new Float64Array(64);
/** Days every buffer above holds (own and spread hold more). */
let bufferDays = 64;

function ensureBuffers(days: number): void {
  // Checked against every buffer's size, not ownBuf's (twice it): a baselineDays raised in the Settings to under twice
  // an earlier one would otherwise overrun the one-window buffers.
  if (bufferDays >= days) return;
  bufferDays = days;
  ownBuf = new Float64Array(days * 2); // own may also take the other class's days (shifted)
  otherBuf = new Float64Array(days);
  eventsBuf = new Float64Array(days);
  tokensBuf = new Float64Array(days);
  spreadBuf = new Float64Array(days * 3); // both classes of the window, and of the older block
  olderBuf = new Float64Array(days);
  olderOtherBuf = new Float64Array(days);
}

/** olderDeviations' median and count of each class of day (class 0 first); a count of 0 when it has none. */
const olderMedian = new Float64Array(2);
const olderCount = new Int32Array(2);

/**
 * Appends to spreadBuf, from index n, the deviations of the user's active days in [from, to) (window indices; below
 * 0, the days before the window in UserSeries.olderLog), each class of day around its own median; returns the new
 * count. A class with fewer than 3 such days adds nothing.
 */
function olderDeviations(u: UserSeries, series: SeriesSet, from: number, to: number, n: number): number {
  const olderLen = u.olderLog.length;
  let n0 = 0;
  let n1 = 0;
  for (let d = Math.max(from, -olderLen); d < to; d++) {
    // in single precision in the window too: a day's value is the same before and after it leaves the window
    const v = d < 0 ? u.olderLog[d + olderLen] : Math.fround(olderSpend(u.cents[d], u.events[d]));
    if (Number.isNaN(v)) continue;
    if (classOfDay(series, d) === 0) olderBuf[n0++] = v;
    else olderOtherBuf[n1++] = v;
  }
  n = aroundOlderMedian(olderBuf, n0, 0, n);
  return aroundOlderMedian(olderOtherBuf, n1, 1, n);
}

/** olderDeviations for one class: its `count` values around their median, appended to spreadBuf from index n. */
function aroundOlderMedian(values: Float64Array, count: number, cls: number, n: number): number {
  if (count < 3) return n;
  const c = medianOfFirst(values, count);
  olderMedian[cls] = c;
  olderCount[cls] = count;
  for (let i = 0; i < count; i++) spreadBuf[n++] = values[i] - c;
  return n;
}

/**
 * The weight, in days, that a median of m older days adds to a median of n recent ones, on a spread of `scale`: all
 * m when the two are equal, fewer the further apart they are, none from LEVEL_AGREEMENT_SE standard errors of their
 * difference on. Tapered (m · (1 − r²)), not cut, so that the level moves by small steps as the two part: with a cut,
 * a noisy developer's expected jumped by a third from one day to the next as the test flipped (bench:detect, Dec 4
 * 2026: H3-weekend's dev0039, $15.48 ↔ $10.21).
 */
function olderLevelWeight(a: number, b: number, n: number, m: number, scale: number): number {
  if (!(scale > 0)) return 0;
  const r = (a - b) / (LEVEL_AGREEMENT_SE * scale * Math.sqrt(MEDIAN_VARIANCE * (1 / n + 1 / m)));
  return r * r >= 1 ? 0 : Math.round(m * (1 - r * r));
}

/** olderClean's days (log spend) and their class, latest first. */
let fillBuf = new Float64Array(MIN_CLEAN_DAYS);
let fillClass = new Uint8Array(MIN_CLEAN_DAYS);

/**
 * Up to `need` of the user's latest active days before the baseline's window [from, t), back to baselineDays before
 * it, into fillBuf and fillClass; returns how many. Only days past adaptAfterDays, which no flag leaves out: a day is
 * then taken the same way whichever pass reads it, in the window or in UserSeries.olderLog after the slide; but for a
 * day judged by its volume (judgedSpend, on a team with a habit of pricier days), which olderLog holds at its price.
 */
function olderClean(
  u: UserSeries,
  series: SeriesSet,
  t: number,
  from: number,
  settings: Settings,
  need: number,
): number {
  if (fillBuf.length < need) {
    fillBuf = new Float64Array(need);
    fillClass = new Uint8Array(need);
  }
  const olderLen = u.olderLog.length;
  const floor = Math.max(from - settings.baselineDays, -olderLen);
  let n = 0;
  for (let d = Math.min(from, t - settings.adaptAfterDays) - 1; d >= floor && n < need; d--) {
    // in single precision in the window too, as olderDeviations reads them
    const v = d < 0 ? u.olderLog[d + olderLen] : Math.fround(olderSpend(u.cents[d], u.events[d]));
    if (Number.isNaN(v)) continue;
    fillBuf[n] = v;
    fillClass[n++] = classOfDay(series, d);
  }
  return n;
}

export interface Baseline {
  center: number; // expected log spend
  scale: number; // robust σ of log spend
  ownDays: number; // days behind the level: the window's own, plus the older block's weight (olderLevelWeight)
  /** Degrees of freedom of the scale: how many days' worth of evidence it rests on (own days at MAD's efficiency
   * plus the team prior's weight). A z against a scale from few days is a Student t, not a normal z. */
  dof: number;
  /** Days behind the scale (own days plus the prior's weight), undiscounted: for judging a single extreme day. */
  days: number;
  newUser: boolean;
  /** Not new, but no active day in the whole baseline window (back from a long absence): judged against the team. */
  returning: boolean;
  /** Own, but from three or four days of the day's class and thin history (SPARSE_BASELINE). */
  sparse: boolean;
  events: number; // median requests on a baseline day
  tokens: number; // median tokens on a baseline day
}

/** What kind of baseline a day has in BaselineDays.kind. */
export const NO_BASELINE = 0;
const OWN_BASELINE = 1;
const NEW_USER_BASELINE = 2;
const RETURNING_BASELINE = 3;
/** Own, from three or four days of the day's class (under MIN_SPARSE_DAYS, not borrowing the other class's) and thin
 * history (a part-timer's four workdays in four weeks and a few weekend days): judged, but left out of the team's day
 * effect. */
const SPARSE_BASELINE = 4;

/**
 * One developer's baselines of the evaluated days, as typed arrays in one buffer (index t − from): one object per
 * developer and evaluated day was ≈ 120 bytes with its boxed numbers, 560,000 of them at 20,000 developers; here a
 * day takes 41 bytes. dof and days are derived from ownWeight as userBaseline defined them.
 */
export class BaselineDays {
  readonly center: Float64Array;
  readonly scale: Float64Array;
  readonly events: Float64Array;
  readonly tokens: Float64Array;
  readonly ownDays: Int32Array;
  /**
   * Days behind the own scale, as independent days (0 with fewer than 3; on a team whose days are correlated, fewer
   * than were read: userBaseline): dof = MAD_EFFICIENCY · ownWeight + k, days = ownWeight + k.
   */
  readonly ownWeight: Int32Array;
  /** NO_BASELINE (not judged), or an own / sparse / new-user / returning baseline. */
  readonly kind: Uint8Array;

  constructor(
    readonly from: number,
    readonly length: number,
    /** settings.shrinkageDays: the team prior's weight in days. */
    readonly priorDays: number,
  ) {
    const buffer = new ArrayBuffer(length * 41);
    const f64 = (k: number) => new Float64Array(buffer, k * length * 8, length);
    this.center = f64(0);
    this.scale = f64(1);
    this.events = f64(2);
    this.tokens = f64(3);
    this.ownDays = new Int32Array(buffer, length * 32, length);
    this.ownWeight = new Int32Array(buffer, length * 36, length);
    this.kind = new Uint8Array(buffer, length * 40, length);
  }

  /** True when day t has a baseline. */
  has(t: number): boolean {
    const i = t - this.from;
    return i >= 0 && i < this.length && this.kind[i] !== NO_BASELINE;
  }

  /** Judged against the team (a new user, or one back from a long absence). Only for a day that has a baseline. */
  teamLike(t: number): boolean {
    const kind = this.kind[t - this.from];
    return kind !== OWN_BASELINE && kind !== SPARSE_BASELINE;
  }

  /** A thin own baseline (SPARSE_BASELINE). Only for a day that has a baseline. */
  sparse(t: number): boolean {
    return this.kind[t - this.from] === SPARSE_BASELINE;
  }

  /** A new user's baseline (judged against the team's heavy users). Only for a day that has a baseline. */
  newUser(t: number): boolean {
    return this.kind[t - this.from] === NEW_USER_BASELINE;
  }

  /** Baseline.dof of day t (which has a baseline). */
  dof(t: number): number {
    return MAD_EFFICIENCY * this.ownWeight[t - this.from] + this.priorDays;
  }

  /** Baseline.days of day t (which has a baseline). */
  days(t: number): number {
    return this.ownWeight[t - this.from] + this.priorDays;
  }

  /** Day t's baseline as an object, or null: for the readers outside the scan's loop over every developer-day. */
  at(t: number): Baseline | null {
    if (!this.has(t)) return null;
    const i = t - this.from;
    const w = this.ownWeight[i];
    const k = this.priorDays;
    return {
      center: this.center[i],
      scale: this.scale[i],
      ownDays: this.ownDays[i],
      dof: MAD_EFFICIENCY * w + k,
      days: w + k,
      newUser: this.kind[i] === NEW_USER_BASELINE,
      returning: this.kind[i] === RETURNING_BASELINE,
      sparse: this.kind[i] === SPARSE_BASELINE,
      events: this.events[i],
      tokens: this.tokens[i],
    };
  }
}

/**
 * The user's expected log spend for day t, written into `out` (kind NO_BASELINE when the day is not judged): the
 * median/MAD of their own active days of the same class in the previous baselineDays days (skipping days flagged as
 * anomalous unless older than adaptAfterDays), the level joined by the baselineDays before those as far as the two
 * agree (olderLevelWeight) and the spread by them always, mixed with the team's prior with a weight of
 * shrinkageDays. Users with little history lean on the team (and its cross-user spread).
 */
export function userBaseline(
  u: UserSeries,
  t: number,
  series: SeriesSet,
  prior: TeamPrior,
  flagged: Uint8Array,
  settings: Settings,
  out: BaselineDays,
): void {
  const slot = t - out.from;
  out.kind[slot] = NO_BASELINE;
  const cls = series.dayClass[t];
  const from = Math.max(0, t - settings.baselineDays);
  ensureBuffers(settings.baselineDays + 1);
  const own = ownBuf;
  const other = otherBuf;
  let nOwn = 0;
  let nOther = 0;
  let nEvents = 0; // events and tokens: one entry per own day (before any shifted other-class days)
  let history = 0; // every active day counts as history, anomalous or not
  let usable = 0;
  for (let d = from; d < t; d++) {
    if (u.events[d] <= 0) continue;
    history++;
    if (!(flagged[d] === 1 && t - d <= settings.adaptAfterDays)) usable++;
  }
  // Too few clean days in the window (days held as anomalous, or a part-timer's few days): the latest active days
  // before it make up the difference, the developer's level before whatever the held days are. When the held days
  // made the baseline instead, a part-timer's rise was absorbed within days of its start (bench:detect, Dec 4 2026:
  // T4-churn's dev0483, back from a week away at a higher level: z 0.07 on its fifth day, 1.0 now). Only when even
  // those fall short is there no clean baseline left: then the anomalous days are used too, rather than none.
  // (Not for someone with no day at all in the window: back from a month away, they are judged against the team.)
  const older =
    usable < MIN_CLEAN_DAYS && history > 0 ? olderClean(u, series, t, from, settings, MIN_CLEAN_DAYS - usable) : 0;
  const skipFlagged = usable + older >= MIN_CLEAN_DAYS;
  for (let d = from; d < t; d++) {
    if (u.events[d] <= 0) continue;
    if (skipFlagged && flagged[d] === 1 && t - d <= settings.adaptAfterDays) continue;
    const v = logSpend(u.cents[d]);
    if (series.dayClass[d] === cls) {
      own[nOwn++] = v;
      eventsBuf[nEvents] = u.events[d];
      tokensBuf[nEvents++] = u.tokens[d];
    } else other[nOther++] = v;
  }
  const teamCenter = prior.center[cls][t];
  // How much the person varies day to day, from both classes of day (each around its own median): a weekend's
  // four or five days alone make a scale too narrow to trust.
  const spread = spreadBuf;
  let nSpread = 0;
  const ownMedian = nOwn >= 2 ? medianOfFirst(own, nOwn) : Number.NaN;
  if (nOwn >= 2) for (let i = 0; i < nOwn; i++) spread[nSpread++] = own[i] - ownMedian;
  if (nOther >= 3) {
    const c = medianOfFirst(other, nOther);
    for (let i = 0; i < nOther; i++) spread[nSpread++] = other[i] - c;
  }
  // The block of baselineDays before these adds to the evidence of the spread (and to the level, below, as far as its
  // median agrees with the window's): the MAD of 15–20 days is only 37% efficient, and a scale
  // estimated low was behind most false drifts (docs/benchmarks.md, "Where the remaining false alerts come from").
  // The weight and degrees of freedom stay those of the recent days. Its classes are taken around their own medians,
  // so a level that changed between the two blocks does not widen it; one that changed within the older block does,
  // for up to four weeks (a ×3 step: 0.21 → 0.50). Only with a spread of their own: someone back from a month away is
  // judged on the team's.
  const nRecent = nSpread;
  olderCount.fill(0);
  if (nRecent >= 3) {
    nSpread = olderDeviations(u, series, t - 2 * settings.baselineDays, from, nSpread);
  }
  // The days before the window that made up for anomalous ones count towards the level, not the spread (the older
  // block's deviations are in it already).
  const nWindowOwn = nOwn;
  if (skipFlagged) {
    for (let i = 0; i < older; i++) {
      if (fillClass[i] === cls) own[nOwn++] = fillBuf[i];
      else other[nOther++] = fillBuf[i];
    }
  }
  // Too few days of this class: use the other class, shifted by the team's difference between the two.
  const borrowed = nOwn < 3 && nOther > 0;
  if (borrowed) {
    const shift = teamCenter - prior.center[1 - cls][t];
    for (let i = 0; i < nOther; i++) own[nOwn++] = Number.isNaN(shift) ? other[i] : other[i] + shift;
  }
  const n = nOwn;
  if (n === 0 && Number.isNaN(teamCenter)) return;
  // New: little history AND first seen recently (after the data began: someone active from the first collected
  // day is not a new hire, we just have not watched them long). New users lean on the team's level and spread;
  // "sparse" ones (thin history, not new) are judged on their own level, and not at all with under MIN_SPARSE_DAYS.
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
  // Counted over both classes of day: someone who works one weekday a week has four workdays in four weeks, and was
  // never judged on a workday at all (bench:detect's H5-churn dev0338, a held-out trace: a $77 shift to the premium
  // model on one weekday a week for five weeks, its first day × 4 their usual, never found). Their level is still
  // their own workdays' (other-class days stand in only under three); the spread reads both classes (from three days
  // of the other).
  const sparse = thin && !newUser && !returning && n < MIN_SPARSE_DAYS;
  if (sparse && (borrowed || n + nOther < MIN_SPARSE_DAYS)) return;
  const teamLike = newUser || returning;
  // Nothing is judged in the first week of data: neither the user's level nor the team's is known yet (issue #12:
  // most false alerts of a fresh install came from days judged on two or three days of history).
  if (t < series.dataStart + NEW_USER_GRACE_DAYS) return;
  const k = settings.shrinkageDays;
  // (the median of the own days is the one the deviations were taken around, unless other-class days or days before
  // the window joined them)
  const ownCenter = n === 0 ? 0 : !borrowed && n >= 2 && n === nWindowOwn ? ownMedian : medianOfFirst(own, n);
  const ownScale = nSpread >= 3 ? developerScaleOfFirst(spread, nSpread) : 0;
  // Someone without a level of their own is compared with the team's heavy users (its 90th percentile), not its
  // median: a new hire who is a heavy user from day one is not news (issue #12: most team_zscore false alerts on
  // teams with joiners); one far above even them is. On the class of day where those heavy users spend more: the
  // team's weekend mixes a few people's light check-ins, and a joiner's first Saturday of work read as far above it.
  const heavyCls = teamLike && heavyLevel(prior, 1 - cls, t) > heavyLevel(prior, cls, t) ? 1 - cls : cls;
  const teamSpread = prior.spread[heavyCls][t];
  const priorCenter = Number.isNaN(teamCenter) ? ownCenter : teamLike ? heavyLevel(prior, heavyCls, t) : teamCenter;
  const priorScale = teamLike && !Number.isNaN(teamSpread) ? teamSpread : prior.personalScale;
  // Where the team's days are correlated, n of them say as much as n / stretch independent ones, of the spread and
  // of the level (bench:detect's stretch teams: a week of days alike gave too narrow a scale, and drifts).
  const stretch = stretchFactor(prior.noiseCorrelation);
  // fewer than 3 days say nothing about spread
  const ownWeight = nRecent >= 3 ? Math.max(1, Math.round(nRecent / stretch)) : 0;
  // Only new users have their level pulled towards the team's: anyone else's own median is the truth about them
  // (pulling a heavy user down would flag them every day: the original's power-user noise).
  const kc = settings.newUserPriorDays;
  // The level also reads the block before the window, as far as the window's clean days of this class agree with it: a
  // median of 15-20 days is uncertain enough (π/2 · σ²/n) that a ×2 level shift of a noisy developer was not
  // significant within the window; the oracle that knows the level found most such misses (bench:detect-ceiling).
  // The older block then stands in for the days that made up for held ones (they are among its days).
  const olderDays = olderCount[cls];
  const olderWeight =
    !teamLike && nWindowOwn >= 2 && olderDays >= MIN_LEVEL_DAYS
      ? olderLevelWeight(ownMedian, olderMedian[cls], nWindowOwn, olderDays, ownScale)
      : 0;
  const levelDays = olderWeight > 0 ? nWindowOwn + olderWeight : n;
  const ownLevel = olderWeight > 0 ? (nWindowOwn * ownMedian + olderWeight * olderMedian[cls]) / levelDays : ownCenter;
  const center = teamLike ? (n * ownCenter + kc * priorCenter) / (n + kc || 1) : ownLevel;
  // A median of n days is itself uncertain (variance ≈ π/2 · σ²/n): a new day is judged against that too.
  const scale =
    // The team's typical spread guards against a too-narrow own scale; it never narrows a noisy person's.
    Math.max(MIN_SCALE, ownScale, (ownWeight * ownScale + k * priorScale) / (ownWeight + k || 1)) *
    (teamLike ? 1 : Math.sqrt(1 + (MEDIAN_VARIANCE * stretch) / Math.max(3, levelDays)));
  out.center[slot] = teamLike && n + kc === 0 ? priorCenter : center;
  out.scale[slot] = scale;
  out.ownDays[slot] = levelDays; // the days behind the level (its error, in sustainedRun and frozenShift)
  out.ownWeight[slot] = ownWeight; // dof = MAD_EFFICIENCY · ownWeight + k, days = ownWeight + k (BaselineDays.at)
  out.kind[slot] = newUser
    ? NEW_USER_BASELINE
    : returning
      ? RETURNING_BASELINE
      : sparse
        ? SPARSE_BASELINE
        : OWN_BASELINE;
  out.events[slot] = nEvents > 0 ? medianOfFirst(eventsBuf, nEvents) : 0;
  out.tokens[slot] = nEvents > 0 ? medianOfFirst(tokensBuf, nEvents) : 0;
}
