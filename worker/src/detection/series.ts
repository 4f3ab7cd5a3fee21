import { addDays, daysBetween, isWeekend } from '@cursor-cost-watch/contract';
import type { DetectionInput } from './input';

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
  models: Map<string, ModelSeries>;
  /** Index of the first day with activity in the window. */
  firstActive: number;
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

/** Lays the rows of `input` from `firstDay` to asOf into per-user arrays; older rows are ignored. */
export function buildSeries(input: DetectionInput, firstDay: string, weekdayAware: boolean): SeriesSet {
  const { days, dayClass } = seriesDays(firstDay, input.asOf, weekdayAware);
  const n = days.length;
  const firstSeen = new Map(input.members.map((m) => [m.email, m.firstSeenDay]));
  const index = new Map(days.map((d, i) => [d, i]));
  const byEmail = new Map<string, UserSeries>();
  const user = (email: string): UserSeries => {
    let u = byEmail.get(email);
    if (!u) byEmail.set(email, (u = emptyUserSeries(email, firstSeen.get(email) ?? null, n)));
    return u;
  };
  for (const r of input.userDays) {
    const i = index.get(r.day);
    if (i === undefined) continue; // older than the window
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

/** A user with no activity yet over `n` days. */
export function emptyUserSeries(email: string, firstSeenDay: string | null, n: number): UserSeries {
  const { f64, events } = seriesBuffer(4, n);
  const [cents, tokens, headlessCents, maxModeCents] = f64;
  return { email, firstSeenDay, cents, events, tokens, headlessCents, maxModeCents, models: new Map(), firstActive: n };
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
function seriesBuffer(count: number, n: number): { f64: Float64Array[]; events: EventCounts } {
  const buffer = new ArrayBuffer(n * (count * 8 + 4));
  const f64 = Array.from({ length: count }, (_, k) => new Float64Array(buffer, k * n * 8, n));
  return { f64, events: new Float32Array(buffer, count * n * 8, n) };
}

/** The set over `users` (any order): users sorted by email (code-unit order), the start of the data found. */
export function seriesSet(days: string[], dayClass: Uint8Array, users: UserSeries[]): SeriesSet {
  const n = days.length;
  users.sort((a, b) => (a.email < b.email ? -1 : 1));
  let dataStart = n - 1;
  for (const u of users) if (u.firstActive < dataStart) dataStart = u.firstActive;
  return { days, dayClass, asOfIdx: n - 1, dataStart, users };
}
