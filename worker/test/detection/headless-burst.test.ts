/**
 * A runaway agent found by its headless spend (bench:detect's H5-churn: $40–$200 of agent spend on a heavy, noisy
 * developer's $80–$110 day reached a total z of only 1–2.2, and was never found).
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, noisyTeam } from './fixtures';

const asOf = '2026-11-25'; // a Wednesday
const who = emailOf(4);

function alertsOf(input: ReturnType<typeof noisyTeam>, from: string, to: string, email = who) {
  const out: { day: string; detector: string; onset: string }[] = [];
  for (let day = from; day <= to; day = addDays(day, 1))
    for (const a of detect(asOfDay(input, day), DEFAULT_SETTINGS))
      if (a.subject === email) out.push({ day, detector: a.detector, onset: a.onsetAt.slice(0, 10) });
  return out;
}

describe('runaway agent by its headless spend', () => {
  it('finds an agent under half of a noisy heavy developer’s day on its first day, with its onset', () => {
    // ~1,500 requests a workday at σ ≈ 0.5 (this one expects ~$95); on the day an ordinary volume plus 1,000
    // headless requests ($80): a total z of about 1.3 (not elevated), 46% of it headless (under the 50% the
    // classification asks of an episode), as H5-churn's dev0608.
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, day, volume) =>
        email === who && day === asOf ? { volume: 1, headlessRequests: 1_000, active: true } : { volume },
      1_500,
    );
    const found = alertsOf(input, addDays(asOf, -14), asOf);
    expect(found).toEqual([{ day: asOf, detector: 'runaway_agent', onset: asOf }]);
  });

  it('does not flag work moved to agents without spending more', () => {
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, day, volume) =>
        email === who && day >= addDays(asOf, -2) ? { volume: 0.5, headlessRequests: 300, active: true } : { volume },
      1_500,
    );
    expect(alertsOf(input, addDays(asOf, -14), asOf)).toEqual([]);
  });

  it('does not flag a developer whose agents run every day', () => {
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, _day, volume) => (email === who ? { volume, headlessRequests: 500 * volume } : { volume }),
      1_500,
    );
    expect(alertsOf(input, addDays(asOf, -28), asOf)).toEqual([]);
  });
});
