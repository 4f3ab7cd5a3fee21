/**
 * Time and calendar days: the one place that defines them. A day is a UTC calendar day written 'YYYY-MM-DD'
 * (what Cursor's API, PostgreSQL's `date` and the dashboards use). The simulator additionally numbers days since
 * the epoch (simulator/src/days.ts), built on these constants.
 */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

// Detection checks hundreds of thousands of rows that share a few dozen days: remember the answers.
const checked = new Map<string, boolean>();

/** A real calendar day written as YYYY-MM-DD (2026-02-30 is not). */
export function isDay(value: string): boolean {
  let ok = checked.get(value);
  if (ok === undefined) {
    const ms = typeof value === 'string' && DAY_RE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
    ok = !Number.isNaN(ms) && toDay(ms) === value;
    if (checked.size < 100_000) checked.set(value, ok);
  }
  return ok;
}

/** Midnight UTC of a day, in epoch milliseconds. */
export function dayToMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The UTC day holding an instant (epoch milliseconds). */
export function toDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return toDay(dayToMs(day) + n * DAY_MS);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayToMs(to) - dayToMs(from)) / DAY_MS);
}

export function isWeekend(day: string): boolean {
  const dow = new Date(dayToMs(day)).getUTCDay();
  return dow === 0 || dow === 6;
}

export function startOfDayIso(day: string): string {
  return `${day}T00:00:00.000Z`;
}
