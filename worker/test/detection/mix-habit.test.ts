/**
 * Where trying a pricier model for a day is the team's habit (a tenth of its developers or more had such a lone day in
 * the last four weeks), one day on a new mix is no model shift unless its cost alarms on its own; a second day on it
 * is (bench:detect's model-mix-day teams, Dec 5 2026: false alerts per 100 developers a week 1.3–1.7 → 0.6–1.0, no
 * other team moved).
 */
import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import type { DetectionInput } from '../../src/detection';
import { buildSeries } from '../../src/detection/series';
import { expensiveModels } from '../../src/detection/premium';
import { mixHabitDays } from '../../src/detection/mix-habit';
import { historyDays, olderDays } from '../../src/detection/detect';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { firstAlert as firstAlertOf, PREMIUM_USER as who, premiumUserTeam, type DayTweak } from './fixtures';

const monday = '2026-11-16';
const asOf = addDays(monday, 7);

/** Lone days on the premium mix (72% of requests, 96% of spend), each with active workdays either side. */
const loneDays =
  (days: string[]) =>
  (day: string): DayTweak | undefined => {
    if (days.includes(day)) return { premiumShare: 0.72, active: true };
    if (days.some((d) => day === addDays(d, -1) || day === addDays(d, 1))) return { premiumShare: 0.12, active: true };
    return undefined;
  };

/**
 * premiumUserTeam to `asOf` (`who` as `mine` says), where developer 10 + i has a lone day on the premium mix on each
 * day of triers[i] (the rest of the team never).
 */
function team(
  seed: number,
  triers: string[][],
  mine: (day: string) => DayTweak | undefined,
  others: (day: string, i: number) => DayTweak | undefined = () => undefined,
): DetectionInput {
  return premiumUserTeam(
    seed,
    asOf,
    mine,
    (_email, day, i) =>
      others(day, i) ?? (i >= 10 && i - 10 < triers.length ? loneDays(triers[i - 10])(day) : undefined),
  );
}

function habit(input: DetectionInput): Map<string, number> {
  const series = buildSeries(
    input,
    addDays(input.asOf, -historyDays(DEFAULT_SETTINGS) + 1),
    true,
    olderDays(DEFAULT_SETTINGS),
  );
  const days = mixHabitDays(series, DEFAULT_SETTINGS, expensiveModels(series, DEFAULT_SETTINGS.premiumCostFactor));
  return new Map(series.days.map((d, i) => [d, days[i]]));
}

const wednesday = '2026-10-21';
const h = (input: DetectionInput, day: string) => habit(input).get(day);
const steady = () => undefined;

describe('mixHabitDays', () => {
  it('is 1 for four weeks from the day after a lone day is known (its next active day), with a tenth of the team', () => {
    const h = habit(team(1, [[wednesday], [wednesday]], steady));
    // Known on Thursday (the next active day), counted from Friday, for baselineDays days from Wednesday.
    expect(h.get(addDays(wednesday, 1))).toBe(0);
    expect(h.get(addDays(wednesday, 2))).toBe(1);
    expect(h.get(addDays(wednesday, DEFAULT_SETTINGS.baselineDays))).toBe(1);
    expect(h.get(addDays(wednesday, DEFAULT_SETTINGS.baselineDays + 1))).toBe(0);
  });

  it('is 0 when one developer in twenty has lone days', () => {
    const h = habit(team(1, [[wednesday, addDays(wednesday, 14)]], steady));
    expect([...h.values()].every((v) => v === 0)).toBe(true);
  });

  it('counts a lone day known only after its window for no day (a developer back after six weeks away)', () => {
    const away = '2026-10-01';
    const input = team(1, [['2026-10-21'], ['2026-10-21']], steady, (day, i) =>
      i === 12 && day > away && day < '2026-11-12' ? { active: false } : i === 12 ? loneDays([away])(day) : undefined,
    );
    // Two of the 19 active on Nov 5 (the third of the lone-day developers is away): with the empty interval counted
    // as one less, one of 19.
    expect(h(input, '2026-11-05')).toBe(1);
  });

  it('reads the developers active in the window, not the team', () => {
    // Ten of the twenty (not `who`, not the one with a lone day) away from Oct 2 on: on Nov 6 the window [Oct 9, Nov 6)
    // holds ten active developers, one of them with a lone day on Wednesday Nov 4: a tenth.
    const away = (day: string, i: number) =>
      i < 12 && i !== 5 && i !== 10 && day > '2026-10-01' ? { active: false } : undefined;
    expect(h(team(1, [['2026-11-04']], steady, away), '2026-11-06')).toBe(1);
    expect(h(team(1, [['2026-11-04']], steady), '2026-11-06')).toBe(0);
  });

  it('is 0 when two developers in twenty switch for good (no lone day)', () => {
    const input = team(1, [], steady, (day, i) =>
      i >= 10 && i < 12 && day >= wednesday ? { premiumShare: 0.72 } : undefined,
    );
    expect([...habit(input).values()].every((v) => v === 0)).toBe(true);
  });
});

/** One lone day each, on workdays of the four weeks before `monday`, for four developers (a fifth of the team). */
const triers = [3, 8, 15, 22].map((back) => {
  let day = addDays(monday, -back);
  while (isWeekend(day) || isWeekend(addDays(day, -1)) || isWeekend(addDays(day, 1))) day = addDays(day, -1);
  return [day];
});
const firstAlert = (input: DetectionInput) => firstAlertOf(input, who, monday, asOf);
const lone = (day: string): DayTweak | undefined => (day === monday ? { premiumShare: 0.72, active: true } : undefined);
const lasting = (day: string): DayTweak | undefined =>
  day >= monday ? { premiumShare: 0.72, active: !isWeekend(day) } : undefined;
// familiar-mix.test.ts's seeds: a lone day on a new mix is a model shift there, on a team without the habit.
const seeds = [1, 2, 3, 5, 8];

describe('a developer’s first day on the premium model', () => {
  it.each(seeds)('is a model shift on a team without the habit (team seed %i)', (seed) => {
    expect(firstAlert(team(seed, [], lone))).toEqual({ asOf: monday, detector: 'model_shift' });
  });

  it.each(seeds)('is not on a team where a fifth tried it for a day (team seed %i)', (seed) => {
    const input = team(seed, triers, lone);
    expect(habit(input).get(monday)).toBe(1);
    expect(firstAlert(input)).toBeNull();
  });

  it.each(seeds)('is when its cost alarms on its own there (team seed %i)', (seed) => {
    const spike = (day: string): DayTweak | undefined =>
      day === monday ? { premiumShare: 0.72, volume: 3, active: true } : undefined;
    expect(firstAlert(team(seed, triers, spike))?.asOf).toBe(monday);
  });

  // A developer at about 20% of their spend on the premium model (premiumShare 0): 45% of requests on it for a day,
  // then a busier day on the old mix. Seeds where the two days' span passed the model-shift test while only the day
  // before was on the new mix (a model shift on the Tuesday before it was judged on day t's mix too).
  it.each([5, 8])('nor is a day back on the old mix after it there (team seed %i)', (seed) => {
    const back = (day: string): DayTweak =>
      day === monday
        ? { premiumShare: 0.45, active: true }
        : day === addDays(monday, 1)
          ? { premiumShare: 0, volume: 1.8, active: true }
          : { premiumShare: 0 };
    expect(firstAlert(team(seed, triers, back))).toBeNull();
  });

  it.each(seeds)('but a lasting switch there is reported on its second day (team seed %i)', (seed) => {
    expect(firstAlert(team(seed, triers, lasting))).toEqual({ asOf: addDays(monday, 1), detector: 'model_shift' });
  });
});
