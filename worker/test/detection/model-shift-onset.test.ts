/**
 * A model shift's onset is the first day of the new model mix (bench:detect's T2-weekend, Dec 3 2026: a developer's
 * busy Friday on the usual mix, z 1.8 at a 30% share of spend on the premium model, became the onset of their switch
 * to 85% premium the next Monday, three days early: the cost-only onset search takes in every day above the reference
 * z). Days before the switch on the old mix are no part of it, however busy; days on the new mix whose cost did not
 * yet look unusual are.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect, type DetectionInput } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, makeInput, type DayTweak } from './fixtures';

const friday = '2026-11-13';
const monday = '2026-11-16';
const who = emailOf(5);

/** A steady team of 20; from `monday` on, `who` moves 30% of their requests to the premium model. */
function team(seed: number, before: DayTweak, firstDays: DayTweak = {}): DetectionInput {
  return makeInput({
    users: 20,
    days: 70,
    asOf: addDays(monday, 7),
    seed,
    tweak: (email, day) => {
      if (email !== who) return undefined;
      if (day === friday) return { ...before, active: true };
      if (day >= monday) return { premiumShare: 0.3, ...(day < addDays(monday, 3) ? firstDays : {}), active: true };
      return undefined;
    },
  });
}

/** The onsets of the model-shift alerts on `who` over the week from `monday`, one pass a day. */
function onsets(input: DetectionInput): string[] {
  const out = new Set<string>();
  for (let day = monday; day <= addDays(monday, 7); day = addDays(day, 1)) {
    for (const a of detect(asOfDay(input, day), DEFAULT_SETTINGS))
      if (a.scope === 'user' && a.subject === who && a.detector === 'model_shift') out.add(a.onsetAt.slice(0, 10));
  }
  return [...out];
}

// Over team seeds 1-30 with a busy Friday (× 1.8 on the usual mix), 26 switches were found as model shifts: before,
// 22 had an onset on the Friday or the Sunday, now all 26 on the Monday. With the first three days on the new mix at
// half volume (their cost × 1.4, under the reference z), 20 were: before, 7 had an onset 1-3 days late and 2 one
// early (the Friday, the Sunday), now all 20 on the Monday.
describe('the onset of a model shift', () => {
  it.each([1, 3, 6])('leaves out a busy day on the old mix before it (team seed %i)', (seed) => {
    expect(onsets(team(seed, { volume: 1.8 }))).toEqual([monday]);
  });

  it.each([19, 21, 26])(
    'takes in the first days on the new mix while their cost looked usual (team seed %i)',
    (seed) => {
      expect(onsets(team(seed, {}, { volume: 0.55 }))).toEqual([monday]);
    },
  );

  it.each([2, 4, 10])('is the day of the switch when nothing else happened (team seed %i)', (seed) => {
    expect(onsets(team(seed, {}))).toEqual([monday]);
  });
});
