/**
 * What ends an alarmed episode, and what a new one may reach back to (bench:detect's T4-churn false alerts: a
 * one-day runaway agent re-reported a week later with its old onset, after the developer's first ordinary days).
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, makeInput } from './fixtures';

function replay(input: ReturnType<typeof makeInput>, from: string, to: string, who: string) {
  const out: { day: string; detector: string; onset: string }[] = [];
  for (let day = from; day <= to; day = addDays(day, 1))
    for (const a of detect(asOfDay(input, day), DEFAULT_SETTINGS))
      if (a.subject === who) out.push({ day, detector: a.detector, onset: a.onsetAt.slice(0, 10) });
  return out;
}

describe('episode ends', () => {
  it('ends a runaway agent on its first ordinary day: a later mildly high day is not the same runaway again', () => {
    const runaway = '2026-10-21'; // a Wednesday
    const asOf = '2026-10-30';
    const who = emailOf(4);
    const input = makeInput({
      users: 30,
      days: 70,
      asOf,
      seed: 81,
      // ~$170 of headless requests in one day, away Thursday to Sunday, an ordinary Monday, a ×1.8 Tuesday.
      tweak: (email, day) => {
        if (email !== who) return undefined;
        if (day === runaway) return { headlessRequests: 2_100 };
        if (day > runaway && day < '2026-10-26') return { active: false };
        if (day === '2026-10-26') return { volume: 0.9, active: true };
        if (day === '2026-10-27') return { volume: 1.8, active: true };
        return undefined;
      },
    });
    const found = replay(input, runaway, asOf, who);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toEqual({ day: runaway, detector: 'runaway_agent', onset: runaway });
    expect(found.filter((a) => a.day > runaway)).toEqual([]);
  });

  it('never reaches back past an ended episode: mildly high days after a runaway are not the runaway again', () => {
    // Three days of ~$170 of headless requests, an ordinary Thursday, then three days ×1.6: the rise window (ten
    // active days) would take in the runaway's days and report them again, with their onset, as a new episode.
    const asOf = '2026-10-30';
    const who = emailOf(6);
    const runaway = ['2026-10-19', '2026-10-20', '2026-10-21'];
    const input = makeInput({
      users: 30,
      days: 70,
      asOf,
      seed: 83,
      tweak: (email, day) => {
        if (email !== who) return undefined;
        if (runaway.includes(day)) return { headlessRequests: 2_100, active: true };
        if (day === '2026-10-22') return { volume: 0.8, active: true };
        if (day >= '2026-10-23' && day <= '2026-10-27') return { volume: 1.6 };
        return undefined;
      },
    });
    const found = replay(input, runaway[0], asOf, who);
    expect(found[0]).toEqual({ day: runaway[0], detector: 'runaway_agent', onset: runaway[0] });
    expect(found.filter((a) => a.day > runaway[2] && a.onset <= runaway[2])).toEqual([]);
  });
});
