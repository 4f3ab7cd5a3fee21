/**
 * A developer who works one weekday a week has four workdays in a baseline window of four weeks. Under five days of
 * the day's class and with thin history, they were never judged on a workday: anything they did there went unseen
 * (bench:detect's H5-churn dev0338, a held-out trace: a $77 shift to the premium model, never found). Their days of
 * both classes now count towards the five; their level stays their own workdays'. Such a thin level is left out of
 * the team's day effect, which reads the developers whose level is firm. And someone who works one day a week keeps
 * one incident over the six idle days between. Pure, no database.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect, type DetectionInput } from '../../src/detection';
import { evaluationDays, historyDays, olderDays } from '../../src/detection/detect';
import { expensiveModels } from '../../src/detection/premium';
import { scan } from '../../src/detection/scan';
import { buildSeries } from '../../src/detection/series';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, firstAlert as firstAlertOf, makeInput } from './fixtures';

const PART_TIMER = emailOf(7);
const shiftDay = '2026-11-18'; // a Wednesday
const lastDay = addDays(shiftDay, 7);

/** 20 developers over 70 days; PART_TIMER works Wednesdays and Saturdays (eight days in four weeks: too few to be
 * sure of their level, enough that no older day fills in for them), 15% of their requests on the premium model (about
 * 59% of their spend), and from `from` on 75% (96% of their spend, × 3 the cost). */
function team(seed: number, from: string | null, workdays = [3, 6]): DetectionInput {
  return makeInput({
    users: 20,
    days: 70,
    asOf: lastDay,
    seed,
    requests: 200,
    tweak: (email, day) => {
      if (email !== PART_TIMER) return undefined;
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      return { active: workdays.includes(weekday), premiumShare: from !== null && day >= from ? 0.72 : 0.12 };
    },
  });
}

/** The first pass, one a day from shiftDay, that reports an episode of PART_TIMER's, with its detector. */
const firstAlert = (input: DetectionInput) => firstAlertOf(input, PART_TIMER, shiftDay, lastDay);

const seeds = [1, 2, 3, 4, 5];

describe('a developer who works one weekday a week and Saturdays', () => {
  // On its first day, as a model shift (seeds 1-3) or as a spike (seed 4: the × 3 day alone passes the spike bar), or
  // on their next working day, the Saturday (seed 5).
  it.each(seeds)('is told of a shift to the premium model by their next working day (team seed %i)', (seed) => {
    const found = firstAlert(team(seed, shiftDay));
    expect(found).not.toBeNull();
    expect(found!.asOf <= addDays(shiftDay, 3)).toBe(true);
    expect(['model_shift', 'personal_spike']).toContain(found!.detector);
  });

  it.each(seeds)('is not alerted on when nothing changes (team seed %i)', (seed) => {
    expect(firstAlert(team(seed, null))).toBeNull();
  });

  // Equal to the team without them: their level stays thin (no older day fills in), so they are out of the team's day
  // effect. They are still in the team prior, which moves only levels borrowed from the other class of day: nobody's
  // here on a workday, and a weekend has too few developers (under 8) for a team level at all.
  it.each(seeds)("does not move the team's day level (team seed %i)", (seed) => {
    const settings = DEFAULT_SETTINGS;
    const levels = (input: DetectionInput) => {
      const series = buildSeries(input, addDays(lastDay, -historyDays(settings) + 1), true, olderDays(settings));
      const evalFrom = series.asOfIdx - evaluationDays(settings) + 1;
      const { team } = scan(series, settings, evalFrom, expensiveModels(series, settings.premiumCostFactor));
      return Array.from(team.level.subarray(evalFrom));
    };
    const all = team(seed, shiftDay);
    const without: DetectionInput = {
      ...all,
      userDays: all.userDays.filter((r) => r.email !== PART_TIMER),
      userModelDays: all.userModelDays.filter((r) => r.email !== PART_TIMER),
      members: all.members.filter((m) => m.email !== PART_TIMER),
    };
    expect(levels(all)).toEqual(levels(without));
  });
});

describe('a developer who works Wednesdays only', () => {
  // Judged on their Wednesdays, from four in the window and older ones (too few clean days in it). Their shift is
  // one episode from its first report to the next Wednesday: the six idle days between are held over, not counted
  // as normal days towards auto-resolve (with three, the incident resolved on the Tuesday and a second one opened on
  // the next Wednesday, with the same onset).
  it.each(seeds)('has one incident for a lasting shift, reported on every day of its week (team seed %i)', (seed) => {
    const input = team(seed, shiftDay, [3]);
    const reports: (string | null)[] = [];
    for (let day = shiftDay; day < lastDay; day = addDays(day, 1)) {
      const a = detect(asOfDay(input, day), DEFAULT_SETTINGS).find((x) => x.subject === PART_TIMER);
      reports.push(a ? `${a.detector} since ${a.onsetAt.slice(0, 10)}` : null);
    }
    expect(reports).toEqual(Array(7).fill(`model_shift since ${shiftDay}`));
  });
});
