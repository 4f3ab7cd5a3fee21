import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection/detect';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, makeInput } from './fixtures';

const spikeDay = '2026-11-11'; // a Wednesday
const spikers = [1, 4, 7, 10, 13, 16];
/** The five weekdays after the spike (the weekend between them is left as each user would have it). */
const normalDays: string[] = [];
for (let d = spikeDay; normalDays.length < 5;) {
  d = addDays(d, 1);
  if (!isWeekend(d)) normalDays.push(d);
}
const lastDay = normalDays[normalDays.length - 1];

describe('detect: a one-day spike', () => {
  it('is reported on the spike day only: once spend is back to normal nothing is reported for the spiker', () => {
    // Seeds whose days after the spike all stay within each spiker's normal band (a noisy day above the band may
    // rightly be reported); each of them reported the spike again on some of those days before the fix.
    for (const seed of [1, 4, 5]) {
      const input = makeInput({
        users: 40,
        days: 70, // 50+ normal days before the spike
        asOf: lastDay,
        seed,
        tweak: (email, day, i) => {
          if (!spikers.includes(i)) return undefined;
          if (day === spikeDay) return { volume: 25, active: true };
          return normalDays.includes(day) ? { active: true } : undefined;
        },
      });
      const spikeFound = detect(asOfDay(input, spikeDay), DEFAULT_SETTINGS);
      for (const i of spikers) {
        const mine = spikeFound.filter((a) => a.subject === emailOf(i));
        expect({ seed, user: emailOf(i), detectors: mine.map((a) => a.detector) }).toEqual({
          seed,
          user: emailOf(i),
          detectors: ['personal_spike'],
        });
      }
      for (let day = addDays(spikeDay, 1); day <= lastDay; day = addDays(day, 1)) {
        const found = detect(asOfDay(input, day), DEFAULT_SETTINGS);
        const stillReported = found
          .filter((a) => spikers.some((i) => a.subject === emailOf(i)))
          .map((a) => `${a.subject} ${a.detector}: ${a.summary}`);
        expect({ seed, day, stillReported }).toEqual({ seed, day, stillReported: [] });
      }
    }
  });
});
