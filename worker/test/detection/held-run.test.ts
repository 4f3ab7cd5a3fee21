/**
 * heldRun (team-scan.ts): the workdays read together to hold an open team incident while its team still pays a price
 * (pure, on made-up readings of one reference: z = ln(factor) / SCALE).
 */
import { heldRun, type HeldSpend } from '../../src/detection/team-scan';
import { MEDIAN_VARIANCE } from '../../src/detection/baseline';
import { DEFAULT_SETTINGS } from '../../src/settings';

/** The reference's spread (demo mode's ×1.09) and its days. */
const SCALE = Math.log(1.09);
const REFERENCE_DAYS = 20;
const SHARED = MEDIAN_VARIANCE / REFERENCE_DAYS;
const BAR = DEFAULT_SETTINGS.elevatedZ;

/** Day 10 is the day read; days 5, 6, 12 and 13 a weekend. */
const T = 10;
const WEEKEND = new Set([5, 6, 12, 13]);
const workday = (d: number) => !WEEKEND.has(d);

const zOf = (factor: number) => Math.log(factor) / SCALE;

/** Readings by day as factors (absent: a day that cannot be read). */
const reader =
  (days: Record<number, number>) =>
  (d: number): HeldSpend | null =>
    days[d] === undefined ? null : { factor: days[d], z: zOf(days[d]), referenceDays: REFERENCE_DAYS };

const run = (days: Record<number, number>, onset = 0, t = T) =>
  heldRun(reader(days), t, onset, workday, DEFAULT_SETTINGS);

/** k days' z read as one, each counted up to the bar. */
const together = (...factors: number[]) =>
  factors.reduce((sum, f) => sum + Math.min(zOf(f), BAR), 0) /
  Math.sqrt(factors.length + factors.length * (factors.length - 1) * SHARED);

/** Demo mode's price: ×1.18 of before, z 1.9, each day under the bar alone. */
const PRICE = 1.18;

describe('heldRun', () => {
  it('holds on workdays that each read under the bar, read together', () => {
    expect(zOf(PRICE)).toBeLessThan(BAR);
    expect(run({ 10: PRICE })).toBeNull();
    const held = run({ 8: PRICE, 9: PRICE, 10: PRICE })!;
    expect(held.workdays).toBe(3);
    expect(held.day.factor).toBe(PRICE);
    // The days share their reference's median: less evidence than three independent days.
    expect(held.z).toBeCloseTo(together(PRICE, PRICE, PRICE), 10);
    expect(held.z).toBeLessThan((3 * zOf(PRICE)) / Math.sqrt(3));
  });

  it('holds a day at the bar alone, as one reading, or with the days before it counted up to the bar', () => {
    expect(run({ 9: 1.25, 10: 1.25 })).toMatchObject({ workdays: 2, z: together(1.25, 1.25) });
    expect(run({ 9: 1.08, 10: 1.4 })).toEqual({
      day: expect.objectContaining({ factor: 1.4 }),
      z: zOf(1.4),
      workdays: 1,
    });
  });

  it('reads at most three workdays', () => {
    expect(run({ 4: 1.5, 7: PRICE, 8: 1.08, 9: 1.08, 10: 1.08 })).toBeNull();
    expect(run({ 7: PRICE, 8: PRICE, 9: PRICE, 10: PRICE })!.workdays).toBe(3);
  });

  it('skips weekend days and days it cannot read', () => {
    // Monday (7) and the Friday before (4), over a weekend read low.
    expect(run({ 4: PRICE, 5: 0.9, 6: 0.9, 7: PRICE }, 0, 7)).toMatchObject({ workdays: 2 });
    expect(run({ 8: PRICE, 10: PRICE })).toMatchObject({ workdays: 2 }); // day 9 not read
  });

  it('is ended by a workday not up by teamShiftMinFactor, and holds no day that is not', () => {
    expect(run({ 8: 1.5, 9: 1.03, 10: PRICE })).toBeNull();
    expect(run({ 8: 1.5, 9: 1.5, 10: 1.05 })).toBeNull();
  });

  it('counts no day before the onset, nor more than 6 days back', () => {
    expect(run({ 8: PRICE, 9: PRICE, 10: PRICE }, 9)).toMatchObject({ workdays: 2 });
    expect(run({ 8: PRICE, 9: PRICE, 10: PRICE }, 10)).toBeNull();
    expect(run({ 3: PRICE, 10: PRICE })).toBeNull();
    expect(run({ 4: PRICE, 10: PRICE })).toMatchObject({ workdays: 2 });
  });

  it('counts a day up to the bar, so one day far over does not hold the days after it', () => {
    // The onset's ×1.4 (z 3.9) and two days at ×1.07 (z 0.79): 2.94 with its whole z, 1.92 with it at the bar.
    expect(run({ 8: 1.4, 9: 1.07, 10: 1.07 })).toBeNull();
    expect(together(1.4, 1.07, 1.07)).toBeLessThan(BAR);
  });
});
