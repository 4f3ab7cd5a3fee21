/** Day arithmetic on UTC days numbered since the epoch (day 0 = 1970-01-01, a Thursday). */
import { DAY_MS } from '@cursor-cost-watch/contract';

export { DAY_MS };

export const dayOfMs = (ms: number): number => Math.floor(ms / DAY_MS);
export const dayStartMs = (day: number): number => day * DAY_MS;
export const dayEndMs = (day: number): number => day * DAY_MS + DAY_MS - 1;
export const dayNumberIso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** 'YYYY-MM-DD' to a day number, or null when it is not a real calendar day. */
export function parseIsoDay(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(ms) || dayNumberIso(ms / DAY_MS) !== text) return null;
  return ms / DAY_MS;
}

export const isWeekend = (day: number): boolean => {
  const dow = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return dow === 0 || dow === 6;
};

/** First day of the billing cycle holding `day`, cycles starting on `cycleDayOfMonth` (1..28). */
export function cycleStartDay(day: number, cycleDayOfMonth: number): number {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const start =
    d.getUTCDate() >= cycleDayOfMonth ? Date.UTC(y, m, cycleDayOfMonth) : Date.UTC(y, m - 1, cycleDayOfMonth);
  return start / DAY_MS;
}
