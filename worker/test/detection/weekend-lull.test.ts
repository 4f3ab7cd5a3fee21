/**
 * A rise that shows on workdays goes on through a weekend of ordinary weekend work (episode.ts weekendLull): two
 * quiet weekend days ended its episode, and Monday's excess opened a second incident from a later onset
 * (bench:detect-hourly, Dec 6 2026: 8 of the 9 incidents about an anomaly already told on seeds 1–5 were a workday
 * ramp or level of a developer who works a little at weekends, told on a Thursday or Friday and again from the Monday).
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, makeInput } from './fixtures';

const monday = '2026-11-09';
const lastDay = addDays(monday, 18); // Friday, Nov 27
const who = emailOf(4);
const isWeekend = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay() % 6 === 0;

/**
 * `who` works every day, weekends at their weekend usual; from `monday` to `until` their workdays are × `workdays`
 * and their weekend days × `weekends`.
 */
const team = (seed: number, workdays: number, weekends = 1, until = lastDay) =>
  makeInput({
    users: 20,
    days: 70,
    asOf: lastDay,
    seed,
    tweak: (email, day) => {
      if (email !== who) return undefined;
      const on = day >= monday && day <= until;
      return { active: true, volume: on ? (isWeekend(day) ? weekends : workdays) : 1 };
    },
  });

/** `who`'s report of each daily pass from `monday` to `lastDay`: "detector from onset", or null. */
function reports(input: ReturnType<typeof makeInput>): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (let day = monday; day <= lastDay; day = addDays(day, 1)) {
    const a = detect(asOfDay(input, day), DEFAULT_SETTINGS).find((x) => x.subject === who);
    out.set(day, a ? `${a.detector} from ${a.onsetAt.slice(0, 10)}` : null);
  }
  return out;
}

describe('a workday rise of a developer who also works at weekends', () => {
  // Without weekendLull, seeds 1, 2, 4 and 5 lose the report on a Saturday or Sunday (the episode ended there); seed
  // 6's weekend days happen to read over its weekend usual, and seed 3's level is found only on Nov 19.
  it.each([1, 2, 4, 5, 6])('is one episode from its find on, weekends and all (team seed %i)', (seed) => {
    const seen = [...reports(team(seed, 2.5)).entries()];
    const first = seen.findIndex(([, r]) => r !== null);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThanOrEqual(4); // found in its first week
    const onset = seen[first][1]!.split(' from ')[1];
    expect(['2026-11-08', '2026-11-09']).toContain(onset);
    // Every later pass, Saturdays and Sundays too, reports the same episode (seed 2's first pass reads it as a spike,
    // the next ones as the drift it is: the incident is renamed): one incident, its onset kept.
    expect(seen.slice(first).filter(([, r]) => !r?.endsWith(` from ${onset}`))).toEqual([]);
    expect(seen.at(-1)).toEqual([lastDay, `sustained_drift from ${onset}`]);
  });

  it.each([1, 2, 4, 5, 6])('ends on the ordinary workdays after it stops (team seed %i)', (seed) => {
    // The level stops after its second Friday (Nov 20): the weekend holds the episode, Monday and Tuesday end it.
    const seen = reports(team(seed, 2.5, 1, addDays(monday, 11)));
    const told = seen.get(addDays(monday, 11));
    expect(told).toMatch(/^sustained_drift from /);
    expect(seen.get(addDays(monday, 12))).toBe(told); // Saturday
    expect(seen.get(addDays(monday, 13))).toBe(told); // Sunday
    expect(seen.get(addDays(monday, 15))).toBeNull(); // Tuesday, Nov 24
    expect(seen.get(lastDay)).toBeNull();
  });

  // (seed 6's Sunday after it is at × 2.2 its weekend usual by chance, and goes on)
  it.each([1, 2, 4, 5])('ends on an ordinary weekend when it showed on weekends too (team seed %i)', (seed) => {
    // × 2.5 every day to Friday, Nov 20: the weekend of Nov 14–15 was elevated, so the ordinary one after it ends it.
    const seen = reports(team(seed, 2.5, 2.5, addDays(monday, 11)));
    expect(seen.get(addDays(monday, 11))).not.toBeNull();
    expect(seen.get(addDays(monday, 13))).toBeNull(); // Sunday, Nov 22
  });
});
