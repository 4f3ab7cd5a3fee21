/**
 * A sustained episode lasts over the developer's idle days in the scan (they neither extend nor end it), and so does
 * its report: before, each idle day counted as a normal one towards auto-resolve, so a weekend and one quieter
 * workday resolved the incident and the next workday's report of the same episode (same onset) opened a second one
 * (bench:detect's tuning teams T1-steady and T4-churn: 2 of their 11 false sustained drifts). A spike is one day's
 * excess and is not held over; nor is anything past HOLD_OVER_IDLE_DAYS (six) idle days, a week without a working day.
 */
import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import { detect, type DetectionInput } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, noisyTeam } from './fixtures';

const who = emailOf(7);
const shiftFrom = '2026-11-09'; // a Monday
const friday = '2026-11-20';

/** Developers whose every day is × e^(0.3·N(0,1)); `who` works workdays only, × `times` from `from`, idle on `off`. */
const team = (
  seed: number,
  times: number,
  from: string,
  to: string,
  off: Set<string> = new Set(),
  asOf = addDays(friday, 4),
) =>
  noisyTeam(seed, asOf, 0.3, (email, date, volume) =>
    email === who
      ? {
          volume: volume * (date >= from && date <= to ? times : 1),
          active: !isWeekend(date) && !off.has(date),
        }
      : { volume },
  );

const userAlerts = (input: DetectionInput, day: string) =>
  detect(asOfDay(input, day), DEFAULT_SETTINGS).filter((a) => a.scope === 'user' && a.subject === who);

describe('a sustained episode over idle days', () => {
  it.each([1, 2, 3])('a level shift reported on Friday is still current on the idle weekend (seed %i)', (seed) => {
    const input = team(seed, 3, shiftFrom, addDays(friday, 10));
    const onFriday = userAlerts(input, friday);
    expect(onFriday.map((a) => a.detector)).toEqual(['sustained_drift']);
    for (const day of [addDays(friday, 1), addDays(friday, 2)]) {
      const held = userAlerts(input, day);
      expect(held.map((a) => [a.detector, a.onsetAt, a.observed])).toEqual([
        ['sustained_drift', onFriday[0].onsetAt, onFriday[0].observed],
      ]);
      expect(held[0].asOf).toBe(day);
    }
  });

  it.each([1, 2, 3])('not past six idle days (seed %i)', (seed) => {
    // Idle from Saturday through the next Friday: the seventh idle day no longer carries Friday's episode.
    const off = new Set([3, 4, 5, 6, 7].map((d) => addDays(friday, d)));
    const input = team(seed, 3, shiftFrom, friday, off, addDays(friday, 7));
    expect(userAlerts(input, friday).map((a) => a.detector)).toEqual(['sustained_drift']);
    expect(userAlerts(input, addDays(friday, 6)).map((a) => a.detector)).toEqual(['sustained_drift']);
    expect(userAlerts(input, addDays(friday, 7))).toEqual([]);
  });

  it.each([1, 2, 3])('a one-day spike on Friday is not held over the weekend (seed %i)', (seed) => {
    const input = team(seed, 25, friday, friday);
    expect(userAlerts(input, friday).map((a) => a.detector)).toEqual(['personal_spike']);
    expect(userAlerts(input, addDays(friday, 1))).toEqual([]);
  });
});
