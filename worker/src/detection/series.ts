import { addDays, daysBetween, isWeekend } from '@cursor-cost-watch/contract';
import type { DetectionInput } from './input';
import { logSpend } from './log-spend';

/**
 * Events per day are whole counts: single precision holds them exactly up to 2^24 (16.7 million a day for one
 * developer, far past what Cursor's rate limits allow), at half the memory of the cents and tokens beside them.
 */
export type EventCounts = Float32Array;

export interface ModelSeries {
  cents: Float64Array;
  events: EventCounts;
}

/** One user's days as dense arrays indexed by day (0 = the window's first day); missing days are zero. */
export interface UserSeries {
  email: string;
  firstSeenDay: string | null;
  cents: Float64Array;
  events: EventCounts;
  tokens: Float64Array;
  headlessCents: Float64Array;
  maxModeCents: Float64Array;
  /**
   * The days just before the window (index 0 = `olderLog.length` days before its first day) as olderSpend gives them:
   * kept for the baseline's scale, and for its level (as far as its median agrees with the window's, and when the
   * window has too few clean days: userBaseline). A scale from 28 days is too noisy, and a window twice as long held
   * every column of those days: at 20,000 developers it took the worker past issue #13's 500 MB.
   */
  olderLog: Float32Array;
  models: Map<string, ModelSeries>;
  /** Index of the first day with activity in the window. */
  firstActive: number;
}

/**
 * The window index of the day the developer's use began: their first seen day (the member list's or their first day
 * of use, whichever came first), negative when before the window. Without one, their first active day in the window,
 * or −Infinity when olderLog holds use before it.
 */
export function useBegan(u: UserSeries, days: string[]): number {
  if (u.firstSeenDay !== null) return daysBetween(days[0], u.firstSeenDay);
  for (const v of u.olderLog) if (!Number.isNaN(v)) return Number.NEGATIVE_INFINITY;
  return u.firstActive;
}

export interface SeriesSet {
  days: string[];
  /** 1 for Saturday/Sunday (when weekday-aware), else 0: the class a day's baseline is taken from. */
  dayClass: Uint8Array;
  asOfIdx: number;
  /** Index of the first day any user was active: the start of the data we have. */
  dataStart: number;
  users: UserSeries[];
}

/**
 * Lays the rows of `input` from `firstDay` to asOf into per-user arrays; of older rows, those of the `olderDays` days
 * before `firstDay` go into UserSeries.olderLog of the users with a row in the window (their spend only), the rest
 * are ignored.
 */
export function buildSeries(input: DetectionInput, firstDay: string, weekdayAware: boolean, olderDays = 0): SeriesSet {
  const { days, dayClass } = seriesDays(firstDay, input.asOf, weekdayAware);
  const n = days.length;
  const firstSeen = new Map(input.members.map((m) => [m.email, m.firstSeenDay]));
  const index = new Map(days.map((d, i) => [d, i]));
  const byEmail = new Map<string, UserSeries>();
  const user = (email: string): UserSeries => {
    let u = byEmail.get(email);
    if (!u) byEmail.set(email, (u = emptyUserSeries(email, firstSeen.get(email) ?? null, n, olderDays)));
    return u;
  };
  const olderFrom = addDays(firstDay, -olderDays);
  // the days before the window, by day then email (a day is 10 characters; an email may hold any of them)
  const older = new Map<string, { cents: number; events: number }>();
  for (const r of input.userDays) {
    const i = index.get(r.day);
    if (i === undefined) {
      if (r.day >= olderFrom && r.day < firstDay) {
        const key = r.day + r.email;
        const sum = older.get(key) ?? { cents: 0, events: 0 };
        older.set(key, { cents: sum.cents + r.chargedCents, events: sum.events + r.events });
      }
      continue; // older than the window
    }
    const u = user(r.email);
    if (r.events > 0 && i < u.firstActive) u.firstActive = i;
    u.cents[i] += r.chargedCents;
    u.events[i] += r.events;
    u.tokens[i] += r.totalTokens;
    u.headlessCents[i] += r.headlessCents;
    u.maxModeCents[i] += r.maxModeCents;
  }
  for (const r of input.userModelDays) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    const u = user(r.email);
    let m = u.models.get(r.model);
    if (!m) {
      m = emptyModelSeries(n);
      u.models.set(r.model, m);
    }
    m.cents[i] += r.chargedCents;
    m.events[i] += r.events;
  }
  for (const [key, sum] of older) {
    const day = key.slice(0, 10);
    const u = byEmail.get(key.slice(10));
    if (!u) continue; // no row in the window: not in the set
    u.olderLog[olderDays - daysBetween(day, firstDay)] = olderSpend(sum.cents, sum.events);
  }
  return seriesSet(days, dayClass, [...byEmail.values()]);
}

/** The days from `firstDay` to `asOf`, and their class (weekend or not). */
export function seriesDays(
  firstDay: string,
  asOf: string,
  weekdayAware: boolean,
): { days: string[]; dayClass: Uint8Array } {
  const n = daysBetween(firstDay, asOf) + 1;
  const days = Array.from({ length: n }, (_, i) => addDays(firstDay, i));
  return { days, dayClass: Uint8Array.from(days, (d) => (weekdayAware && isWeekend(d) ? 1 : 0)) };
}

/**
 * A day before the window as UserSeries.olderLog keeps it: log(cents + $1) as the baseline judges spend (baseline.ts
 * logSpend), in single precision; NaN when the developer made no request that day.
 */
export function olderSpend(cents: number, events: number): number {
  return events > 0 ? logSpend(cents) : Number.NaN;
}

/** A user with no activity yet over `n` days, nor over the `olderDays` days before them. */
export function emptyUserSeries(email: string, firstSeenDay: string | null, n: number, olderDays = 0): UserSeries {
  const { f64, events, olderLog } = seriesBuffer(4, n, olderDays);
  const [cents, tokens, headlessCents, maxModeCents] = f64;
  return {
    email,
    firstSeenDay,
    cents,
    events,
    tokens,
    headlessCents,
    maxModeCents,
    olderLog,
    models: new Map(),
    firstActive: n,
  };
}

/**
 * The class (0 workday, 1 weekend) of window day d, d < 0 included (a day before the window, UserSeries.olderLog): the
 * class of a day depends only on its weekday.
 */
export function classOfDay(series: Pick<SeriesSet, 'dayClass'>, d: number): number {
  return series.dayClass[d >= 0 ? d : d + 7 * Math.ceil(-d / 7)] ?? 0;
}

/** A model's two series, zeroed (one buffer for both). */
export function emptyModelSeries(n: number): ModelSeries {
  const { f64, events } = seriesBuffer(1, n);
  return { cents: f64[0], events };
}

/**
 * `count` zeroed arrays of n days and the event counts after them, views into one buffer: at 20,000 developers a pass
 * holds some 400,000 of these small arrays, and each buffer of its own costs about half its 57 days' size again in
 * allocation and bookkeeping.
 */
function seriesBuffer(
  count: number,
  n: number,
  olderDays = 0,
): { f64: Float64Array[]; events: EventCounts; olderLog: Float32Array } {
  const buffer = new ArrayBuffer(n * (count * 8 + 4) + olderDays * 4);
  const f64 = Array.from({ length: count }, (_, k) => new Float64Array(buffer, k * n * 8, n));
  const olderLog = new Float32Array(buffer, n * (count * 8 + 4), olderDays).fill(Number.NaN);
  return { f64, events: new Float32Array(buffer, count * n * 8, n), olderLog };
}

/** The set over `users` (any order): users sorted by email (code-unit order), the start of the data found. */
export function seriesSet(days: string[], dayClass: Uint8Array, users: UserSeries[]): SeriesSet {
  const n = days.length;
  users.sort((a, b) => (a.email < b.email ? -1 : 1));
  let dataStart = n - 1;
  for (const u of users) if (u.firstActive < dataStart) dataStart = u.firstActive;
  return { days, dayClass, asOfIdx: n - 1, dataStart, users };
}
