/**
 * stepsOverHeld (pure): whether a new team episode is a further jump over the level a held team incident kept, read
 * from the team's spend against before the incident's onset (spendSince's factor and z, given here per day).
 */
import { steppedLevel, stepsOverHeld, type HeldSpend } from '../../src/detection/team-scan';
import type { TeamScan } from '../../src/detection/scan-types';
import { DEFAULT_SETTINGS } from '../../src/settings';

const N = 20;
const OPEN = 2; // the held incident's onset
const ONSET = 12; // the new episode's onset, its first shift day
const SCALE = 0.02; // the spread of the held reading's log factor

/** Workdays only (dayClass 0); `shift` days set; the new episode's onset on every day from ONSET. */
function team(shiftDays: number[] = [ONSET]): TeamScan {
  const t: TeamScan = {
    factor: new Float64Array(N).fill(1),
    level: new Float64Array(N),
    shift: new Uint8Array(N),
    z: new Float64Array(N),
    observed: new Float64Array(N),
    spent: new Float64Array(N),
    expected: new Float64Array(N),
    onset: new Int32Array(N).fill(-1),
    impact: new Float64Array(N),
    alarmed: new Uint8Array(N),
    stepFrom: new Int32Array(N).fill(-1),
    base: new Float64Array(N).fill(1),
  };
  for (const d of shiftDays) t.shift[d] = 1;
  for (let d = ONSET; d < N; d++) t.onset[d] = ONSET;
  return t;
}

/** The held reading: `factors` by day (absent: a day that cannot be read). */
const reading =
  (factors: Record<number, number>) =>
  (d: number): HeldSpend | null =>
    factors[d] === undefined ? null : { factor: factors[d], z: Math.log(factors[d]) / SCALE, referenceDays: 20 };

const workdays = new Uint8Array(N);
const held = (level: number, days = [5, 6, 7, 8, 9, 10, 11]) => Object.fromEntries(days.map((d) => [d, level]));

/** stepsOverHeld for day 14 of `t` over an incident held from `open`, `counted` reading as `hold` unless given. */
const steps = (
  t: TeamScan,
  open: number,
  hold: (d: number) => HeldSpend | null,
  counted = hold,
  settings = DEFAULT_SETTINGS,
  dayClass = workdays,
) => stepsOverHeld(t, open, 14, dayClass, settings, hold, counted);

describe('a further team jump over the level a held incident kept (stepsOverHeld)', () => {
  it('is a step when its first shift day rose over the level held since the onset, which it returns', () => {
    // S3-shared5's Nov 17: ×1.26 of before Nov 5, over the ×1.09 held since.
    expect(steps(team(), OPEN, reading({ ...held(1.09), 12: 1.26 }))).toBeCloseTo(1.09, 6);
  });

  it('is decided with the developer who adds most left out, its level read with everyone counted (at least 1)', () => {
    const everyone = reading({ ...held(1.12), 12: 1.3 });
    expect(steps(team(), OPEN, reading({ ...held(1.09), 12: 1.26 }), everyone)).toBeCloseTo(1.12, 6);
    // One developer's capped day makes the counted reading rise, not the hold's: no step.
    expect(steps(team(), OPEN, reading({ ...held(1.09), 12: 1.1 }), everyone)).toBe(0);
    expect(steps(team(), OPEN, reading({ ...held(1.09), 12: 1.26 }), reading({ ...held(0.97) }))).toBe(1);
  });

  it('is none when the price read again is the one held, though a day or two dipped', () => {
    expect(steps(team(), OPEN, reading({ ...held(1.5), 8: 1.0, 9: 1.01, 12: 1.5 }))).toBe(0);
  });

  it('is none when it rose by less than teamShiftMinFactor, or within elevatedZ of the reading spread', () => {
    expect(steps(team(), OPEN, reading({ ...held(1.09), 12: 1.15 }))).toBe(0);
    const wide = { ...DEFAULT_SETTINGS, elevatedZ: 8 };
    const read = reading({ ...held(1.09), 12: 1.26 });
    expect(steps(team(), OPEN, read, read, wide)).toBe(0);
  });

  it('is none with fewer than three days read between, and leaves out the shift days of the earlier episode', () => {
    expect(steps(team(), OPEN, reading({ ...held(1.09, [10, 11]), 12: 1.26 }))).toBe(0);
    // Days 8-11 at ×1.3 were the earlier episode's shift days: the level held is the other days' ×1.09.
    const peaks = reading({ ...held(1.09, [5, 6, 7]), 8: 1.3, 9: 1.3, 10: 1.3, 11: 1.3, 12: 1.26 });
    expect(steps(team([8, 9, 10, 11, ONSET]), OPEN, peaks)).toBeCloseTo(1.09, 6);
    expect(steps(team([ONSET]), OPEN, peaks)).toBe(0);
  });

  it("reads the days of its first shift day's class only", () => {
    // Days 6-9 of the other class at ×1.3: the level is the workdays' ×1.09.
    const classes = new Uint8Array(N);
    classes.fill(1, 6, 10);
    const read = reading({ ...held(1.09, [5, 10, 11]), 6: 1.3, 7: 1.3, 8: 1.3, 9: 1.3, 12: 1.26 });
    expect(steps(team(), OPEN, read, read, DEFAULT_SETTINGS, classes)).toBeCloseTo(1.09, 6);
    expect(steps(team(), OPEN, read)).toBe(0);
  });

  it('reads only the days after the held onset and within a week before the new one', () => {
    const read = reading({ 3: 1, 4: 1, 5: 1, 6: 1, 10: 1.09, 11: 1.09, 12: 1.26 });
    // Days 5-6 and 10-11: four days, at a level of ×1.04.
    expect(steps(team(), OPEN, read)).toBeCloseTo(Math.sqrt(1.09), 6);
    // Held from day 6: days 5-6 are no level it held, and two days are too few.
    expect(steps(team(), 6, read)).toBe(0);
    // A new episode from day 13: days 6-12, of which two are read, not days 3-5.
    const later = team([13]);
    later.onset.fill(13, 13);
    expect(steps(later, OPEN, reading({ 3: 1, 4: 1, 5: 1, 10: 1.09, 11: 1.09, 13: 1.26 }))).toBe(0);
  });
});

describe('the level a step incident is counted over once held (steppedLevel)', () => {
  // An earlier episode from day 4 (shift days 4-10), a one-day one on day 11, a step over the first from day 12 (the
  // pass's own reading: stepFrom).
  const stepped = (stepFrom: number) => {
    const t = team([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    t.onset.fill(4, 4, 11);
    t.onset[11] = 11;
    t.stepFrom.fill(stepFrom, 12);
    return t;
  };
  // Day 4 is over a week before the step, day 11 no day of the earlier episode: neither is its level.
  const read = reading({ 4: 1.1, 5: 1.3, 6: 1.3, 7: 1.3, 8: 1.32, 9: 1.32, 10: 1.32, 11: 1.6, 12: 1.6 });

  it("is the median factor of the earlier episode's shift days in the week before, read against before the step", () => {
    expect(steppedLevel(stepped(4), ONSET, read)).toBeCloseTo(Math.sqrt(1.3 * 1.32), 6);
  });

  it('is 1 where the pass reads no step, or fewer than three of those days', () => {
    expect(steppedLevel(stepped(-1), ONSET, read)).toBe(1);
    expect(steppedLevel(stepped(4), ONSET, reading({ 9: 1.28, 10: 1.31, 12: 1.6 }))).toBe(1);
  });
});
