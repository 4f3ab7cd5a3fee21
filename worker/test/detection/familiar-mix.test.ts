/**
 * A day on a mix of models the developer has used before is not a model shift unless its cost alarms on its own
 * (bench:detect's model-mix-day teams, Dec 4 2026: developers who spend some days on the premium model as ordinary work
 * had a model-shift alert for each such day that was elevated and worth minImpactDollars; 140 of the 161 false alerts
 * of M1-mix10 and M2-mix20). A mix is the developer's own when they were on it on a day of the four weeks before: a
 * day on it is news once in four weeks.
 */
import { addDays } from '@cursor-cost-watch/contract';
import type { DetectionInput } from '../../src/detection';
import { firstAlert as firstAlertOf, PREMIUM_USER as who, premiumUserTeam } from './fixtures';

const monday = '2026-11-16';

/** `who` goes to 75% of their requests on the premium model on each of `mixDays` and on `monday`, and from `monday` on
 * when `lasting`. */
function team(seed: number, mixDays: string[], lasting = false): DetectionInput {
  return premiumUserTeam(seed, addDays(monday, 7), (day) =>
    day === monday || mixDays.includes(day) || (lasting && day > monday)
      ? { premiumShare: 0.72, active: true }
      : undefined,
  );
}

/** The first pass (one a day from `monday`) that reports an episode of `who`'s, with its detector. */
const firstAlert = (input: DetectionInput) => firstAlertOf(input, who, monday, addDays(monday, 7));

const lastTuesday = addDays(monday, -6);
const threeWeeksAgo = addDays(monday, -21);
const fiveWeeksAgo = addDays(monday, -35);
// Team seeds 1-8 but 4, 6 and 7, whose lone day on the new mix is reported neither before nor after the change
// (within their noise): no test here could fail on them.
const seeds = [1, 2, 3, 5, 8];

describe('a day on the premium model', () => {
  it.each(seeds)('is a model shift when the mix is new to the developer (team seed %i)', (seed) => {
    expect(firstAlert(team(seed, []))).toEqual({ asOf: monday, detector: 'model_shift' });
  });

  it.each(seeds)('is not when they were on it last week (team seed %i)', (seed) => {
    expect(firstAlert(team(seed, [lastTuesday]))).toBeNull();
  });

  it.each(seeds)('nor three weeks before (team seed %i)', (seed) => {
    expect(firstAlert(team(seed, [threeWeeksAgo]))).toBeNull();
  });

  it.each(seeds)('is when that day was five weeks before (team seed %i)', (seed) => {
    expect(firstAlert(team(seed, [fiveWeeksAgo]))).toEqual({ asOf: monday, detector: 'model_shift' });
  });
});

describe('a lasting switch to a mix the developer has used before', () => {
  it.each(seeds)('is still reported within three days (team seed %i)', (seed) => {
    const found = firstAlert(team(seed, [lastTuesday], true));
    expect(found).not.toBeNull();
    expect(found!.asOf <= addDays(monday, 3)).toBe(true);
  });
});
