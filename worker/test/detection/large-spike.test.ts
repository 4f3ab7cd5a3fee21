/**
 * A one-day spike many times a noisy developer's usual spend (bench:detect's held-out misses, Dec 3 2026: spikes labelled
 * $21–$232 on days 11–53 times the usual, z 3.7–4.1 against a spikeZThreshold of 4.5, since a noisy
 * developer's scale from 15–20 days is uncertain and the z is discounted for it). From 10 times the usual, a day is a
 * spike from z 3.5; below that, spikeZThreshold still applies.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect, type DetectionInput } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, noisyTeam } from './fixtures';

/** Developers whose every day is × e^(0.6·N(0,1)), all active; `who` × `times` on `day`. */
const noisy = (seed: number, asOf: string, who: string, day: string, times: number) =>
  noisyTeam(seed, asOf, 0.6, (email, date, volume) => ({
    volume: volume * (email === who && date === day ? times : 1),
    active: true,
  }));

const userAlerts = (input: DetectionInput, day: string, who: string) =>
  detect(asOfDay(input, day), DEFAULT_SETTINGS).filter((a) => a.scope === 'user' && a.subject === who);

describe('a large one-day spike on a noisy developer', () => {
  const spikeDay = '2026-11-18'; // a Wednesday
  const who = emailOf(7);

  // Seeds where a day 20 times the usual was missed at spikeZThreshold alone (over seeds 1–30, 12 of 30 such days
  // were found before and 21 with the large-spike path; at 30 times, 17 and 28).
  it.each([3, 7, 15])('is a personal spike on its day, onset that day (team seed %i)', (seed) => {
    const input = noisy(seed, addDays(spikeDay, 2), who, spikeDay, 20);
    const found = userAlerts(input, spikeDay, who);
    expect(found.map((a) => [a.detector, a.onsetAt.slice(0, 10)])).toEqual([['personal_spike', spikeDay]]);
    expect(found[0].observed).toBeGreaterThan(10 * found[0].expected);
  });

  it.each([3, 7, 15])('a day 3 times the usual is not (team seed %i)', (seed) => {
    const input = noisy(seed, addDays(spikeDay, 2), who, spikeDay, 3);
    expect(userAlerts(input, spikeDay, who).map((a) => a.detector)).toEqual([]);
  });
});
