/**
 * The onset of a sustained rise (issue #12: a level shift of a noisy person was reported with an onset days after
 * it began, because the rise's window stopped at its second day under the reference). Pure, no database.
 */
import { changePoint } from '../../src/detection/rise';
import type { UserScan } from '../../src/detection/scan-types';

/** A scan of one user over consecutive days: [cents, expected, z] per day, null for an idle day. */
function userScan(days: ([number, number, number] | null)[]): UserScan {
  const n = days.length;
  const cents = new Float64Array(n);
  const events = new Float64Array(n);
  const expected = new Float64Array(n);
  const z = new Float64Array(n).fill(Number.NaN);
  days.forEach((d, i) => {
    if (!d) return;
    [cents[i], expected[i], z[i]] = d;
    events[i] = 10;
  });
  const user = { email: 'a@x.io', firstSeenDay: null, cents, events, firstActive: 0 } as unknown as UserScan['user'];
  return { user, judged: user, expected, z } as unknown as UserScan;
}

describe('changePoint', () => {
  // A noisy person (σ ≈ 0.45) whose spend doubles from index 9 on (a Wednesday): a third of the shifted days are
  // under z 1. Indexes 5–6 and 12–13 are an idle weekend. Rebuilt from the bench's T2-weekend level shift.
  const days: ([number, number, number] | null)[] = [
    [905, 855, 0.11], // 0 Mon
    [1332, 937, 0.75],
    [970, 888, 0.17],
    [410, 883, -1.64],
    [774, 870, -0.27], // 4 Fri
    null,
    null,
    [1598, 835, 1.63], // 7 Mon: one high day before the shift
    [686, 861, -0.42], // 8
    [1943, 877, 1.48], // 9 Wed: the shift begins
    [1912, 873, 1.26],
    [1248, 874, 0.54], // 11 Fri: under the reference
    null,
    null,
    [1873, 1002, 1.19], // 14 Mon
    [1848, 1008, 0.96], // under the reference
    [1933, 970, 1.09],
    [1800, 1065, 0.8], // under the reference
    [4386, 1229, 1.89], // 18 Fri
  ];
  const workdays = new Uint8Array(days.length);
  workdays[5] = workdays[6] = workdays[12] = workdays[13] = 1;

  it('puts the onset of a level shift on its first day, across its quieter days and an idle weekend', () => {
    expect(changePoint(userScan(days), 18, 0, 1, workdays)).toBe(9);
  });

  it('does not reach back into ordinary days, nor past the look-back limit', () => {
    // Judged three days in, the shift's own days still win over the single high Monday before it.
    expect(changePoint(userScan(days), 11, 0, 1, workdays)).toBe(9);
    expect(changePoint(userScan(days), 18, 14, 1, workdays)).toBe(14);
  });

  it('stops at a gap of more than three idle workdays', () => {
    const gap = days.map((d, i) => (i >= 9 && i <= 11 ? null : d));
    gap[8] = null; // Tue–Fri and the weekend idle: 4 idle workdays between index 7 and 14
    expect(changePoint(userScan(gap), 18, 0, 1, workdays)).toBe(14);
  });
});
