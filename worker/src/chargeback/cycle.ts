import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
/**
 * Billing-cycle arithmetic on 'YYYY-MM-DD' days. Cursor's cycles are monthly from the subscription's start
 * (POST /teams/spend's subscriptionCycleStart): a cycle starting on the 17th ends the day before the 17th of the next
 * month. A start on the 29th–31st falls on the last day of shorter months.
 */
const parts = (day: string) => day.split('-').map(Number) as [number, number, number];
const iso = toDay;
const daysInMonth = (y: number, m0: number) => new Date(Date.UTC(y, m0 + 1, 0)).getUTCDate();

/** The start of the cycle in month `m0` (0-based, may overflow) of year `y` for cycles starting on `dom`. */
function startIn(y: number, m0: number, dom: number): string {
  const first = new Date(Date.UTC(y, m0, 1));
  const yy = first.getUTCFullYear();
  const mm = first.getUTCMonth();
  return iso(Date.UTC(yy, mm, Math.min(dom, daysInMonth(yy, mm))));
}

/** The first day of the cycle after the one starting on `start`. */
export function nextCycleStart(start: string, dom: number): string {
  const [y, m] = parts(start);
  return startIn(y, m, dom); // m is 1-based: as a 0-based month it is the next one
}

/** The start of the cycle holding `day`, for cycles starting on day-of-month `dom`. */
export function cycleStartOf(day: string, dom: number): string {
  const [y, m] = parts(day);
  const here = startIn(y, m - 1, dom);
  return day >= here ? here : startIn(y, m - 2, dom);
}

/** Whether `day` is the first day of a cycle for cycles starting on `dom`. */
export const isCycleStart = (day: string, dom: number): boolean => cycleStartOf(day, dom) === day;

/** The last day of the cycle starting on `start`. */
export const cycleLastDay = (start: string, dom: number): string =>
  iso(Date.parse(`${nextCycleStart(start, dom)}T00:00:00Z`) - DAY_MS);

/** Cycles holding any day from `first` to `last`, newest first. */
export function cyclesBetween(first: string, last: string, dom: number): string[] {
  const out: string[] = [];
  for (let c = cycleStartOf(first, dom); c <= last; c = nextCycleStart(c, dom)) out.push(c);
  return out.reverse();
}

export const dayOfMonth = (day: string): number => parts(day)[2];
