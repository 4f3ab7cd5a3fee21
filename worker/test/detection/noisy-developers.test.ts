/**
 * Noisy developers (day-to-day spread of ±50% and more; the bench's T4-churn false alerts): the 28-day window of a
 * noisy person's days can by chance be tight around its median, and the median absolute deviation of 15–20 days
 * (37% efficient) then says they vary half as much as they do: their next ordinary high days read as a drift.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { personalScale } from '../../src/detection/personal-scale';
import { robustScale } from '../../src/detection/stats';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, noisyTeam } from './fixtures';

describe('noisy developers with no anomaly', () => {
  // Seeds whose ordinary days were each reported as a sustained drift (a week of alerts) with the MAD alone. (Seed 30
  // was a third; since the rise's evidence counts the median's error once (drift-evidence.test.ts), one of its
  // developers has a two-day drift again: that change's price in precision.)
  it.each([3, 20])('raises no alert over six weeks of ordinary days (team seed %i)', (seed) => {
    const asOf = '2026-11-20';
    const input = noisyTeam(seed, asOf, 0.5); // every day × e^(0.5·N(0,1)): nothing changes over time
    const alerts: string[] = [];
    for (let day = addDays(asOf, -41); day <= asOf; day = addDays(day, 1))
      for (const a of detect(asOfDay(input, day), DEFAULT_SETTINGS))
        // Personal alerts only: a team of 20 this noisy has a few team-level days of its own (not this test's subject).
        if (a.scope === 'user') alerts.push(`${day} ${a.subject} ${a.detector} onset ${a.onsetAt.slice(0, 10)}`);
    expect(alerts).toEqual([]);
  });

  it('judges a window that is tight around its median by the spread of all its days', () => {
    // 12 days within ±10% of the median and 8 at ±45–60%: the MAD sees only the tight ones.
    const deviations = [
      ...Array.from({ length: 12 }, (_, i) => ((i % 5) - 2) * 0.05),
      ...[0.6, -0.6, 0.5, -0.5, 0.6, -0.55, 0.45, -0.5],
    ];
    const mad = robustScale(deviations, 0);
    expect(personalScale(deviations)).toBeGreaterThan(1.5 * mad);
    // One extreme day among steady ones widens it by at most WINSOR_AT MAD-σ of its own.
    const steady = [...Array.from({ length: 19 }, (_, i) => ((i % 5) - 2) * 0.1), 4];
    const s = robustScale(steady, 0);
    expect(personalScale(steady)).toBeLessThan(1.6 * s);
  });
});
