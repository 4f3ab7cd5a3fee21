/**
 * A runaway agent found by its headless spend (bench:detect's H5-churn: $40–$200 of agent spend on a heavy, noisy
 * developer's $80–$110 day reached a total z of only 1–2.2, and was never found).
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, makeInput, noisyTeam } from './fixtures';

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
    // ~1,500 requests a workday at σ ≈ 0.5 (this one expects ~$107); on the day a busy volume (×1.3) plus 1,000
    // headless requests ($80): a total z of about 1.3 (not elevated), 40% of it headless (under the 50% the
    // classification asks of an episode), as H5-churn's dev0608.
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, day, volume) =>
        email === who && day === asOf ? { volume: 1.3, headlessRequests: 1_000, active: true } : { volume },
      1_500,
    );
    const found = alertsOf(input, addDays(asOf, -14), asOf);
    expect(found).toEqual([{ day: asOf, detector: 'runaway_agent', onset: asOf }]);
  });

  it('opens the runaway on the burst’s first day when it runs for days, and keeps one episode while it lasts', () => {
    // Mon–Wed of ~$100 of agent spend on busy days; Tuesday's total is within the developer's noise (z 0.9): the
    // agent is still running, so Wednesday is the same runaway, not a second one.
    const days = [addDays(asOf, -2), addDays(asOf, -1), asOf];
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, day, volume) =>
        email === who && days.includes(day) ? { volume: 1.2, headlessRequests: 1_300, active: true } : { volume },
      1_500,
    );
    const found = alertsOf(input, addDays(asOf, -14), asOf);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((a) => `${a.detector} ${a.onset}`))).toEqual(new Set([`runaway_agent ${days[0]}`]));
  });

  it('reaches the onset back over burst days within the developer’s noise that did not open the episode', () => {
    // burstSpan's walk-back (reachBack over headlessBurst days), alone: Mon and Tue carry $36 and $56 of agent spend
    // on ordinary volume, a total z of 0.9 and 0.4 (under onsetZ, so neither opens an episode, and the cost walk-back
    // would stop at them), each above expected with most of its extra headless; Wednesday's busier day with $104 of
    // agent spend (z 1.3) opens the runaway. The agent was running since Monday: that is the onset, not Wednesday.
    const days = [addDays(asOf, -2), addDays(asOf, -1), asOf];
    const plan: Record<string, { volume: number; headlessRequests: number }> = {
      [days[0]]: { volume: 1, headlessRequests: 450 },
      [days[1]]: { volume: 1, headlessRequests: 700 },
      [days[2]]: { volume: 1.3, headlessRequests: 1_300 },
    };
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, day, volume) => (email === who && plan[day] ? { ...plan[day], active: true } : { volume }),
      1_500,
    );
    // Nothing on Monday or Tuesday (they did not open it), then one runaway dated from Monday.
    expect(alertsOf(input, addDays(asOf, -14), asOf)).toEqual([
      { day: asOf, detector: 'runaway_agent', onset: days[0] },
    ]);
  });

  it('needs the day above the reference: agent spend on a quieter day is not news', () => {
    // Two ordinary days plus ~$40 of agent spend each: above expected (z 0.1 and 0.6), under onsetZ.
    const days = [addDays(asOf, -1), asOf];
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, day, volume) =>
        email === who && days.includes(day) ? { volume: 1, headlessRequests: 500, active: true } : { volume },
      1_500,
    );
    expect(alertsOf(input, addDays(asOf, -14), asOf)).toEqual([]);
  });

  it('needs most of the extra to be agent spend: a busy day with some agent use is not a runaway', () => {
    // ×1.8 the usual volume (a total z under elevatedZ) with ~$24 of agent spend: ×3 the usual agents, but a third
    // of the day's extra.
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, day, volume) =>
        email === who && day === asOf ? { volume: 1.8, headlessRequests: 300, active: true } : { volume },
      1_500,
    );
    expect(alertsOf(input, asOf, asOf).filter((a) => a.detector === 'runaway_agent')).toEqual([]);
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

  it('does not flag a developer whose agents do most of their work every day', () => {
    // ~$120 of agent spend a day on top of ~$95: a busy day raises both, but never ×3 the usual agent spend.
    const input = noisyTeam(
      11,
      asOf,
      0.45,
      (email, _day, volume) => (email === who ? { volume, headlessRequests: 1_500 * volume } : { volume }),
      1_500,
    );
    expect(alertsOf(input, addDays(asOf, -28), asOf).filter((a) => a.detector === 'runaway_agent')).toEqual([]);
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

describe('agent work on the alarm day of another excess', () => {
  // A first version of the hourly fix for a runaway read as a spike (bench:detect-hourly, Dec 5 2026) named any alarm
  // day whose extra was a headless burst a runaway; a reviewer showed it swallowed drifts. Incidents now take a spike
  // and a runaway of one onset for one episode instead (incidents/upsert.ts), and these stay as they were.
  it('is a spike when the extra is the developer’s own work, with some agent use', () => {
    // ×10 their own requests with 60 headless ones (~$5 of ~$170 extra), on a ~$24 workday.
    const input = makeInput({
      users: 20,
      days: 70,
      asOf,
      seed: 3,
      requests: 400,
      tweak: (email, day) =>
        email === who && day === asOf ? { volume: 10, headlessRequests: 60, active: true } : undefined,
    });
    const mine = detect(input, DEFAULT_SETTINGS).filter((a) => a.subject === who);
    expect(mine.map((a) => a.detector)).toEqual(['personal_spike']);
  });

  it('leaves a level shift whose alarm day had an agent burst a sustained drift, reported while it lasts', () => {
    // ×2 from Nov 9 with 300 headless requests on Nov 12, the drift's alarm day: under that first version, a runaway
    // on Nov 12 only, then nothing for 13 days.
    const start = '2026-11-09';
    const input = makeInput({
      users: 20,
      days: 70,
      asOf,
      seed: 3,
      requests: 150,
      tweak: (email, day) =>
        email === who && day >= start
          ? { volume: 2, active: true, ...(day === '2026-11-12' ? { headlessRequests: 300 } : {}) }
          : undefined,
    });
    const found = alertsOf(input, start, asOf);
    expect(new Set(found.map((a) => a.detector))).toEqual(new Set(['sustained_drift']));
    expect(found.length).toBeGreaterThanOrEqual(8);
  });
});
