import { cycleLastDay, cycleStartOf, cyclesBetween, isCycleStart, nextCycleStart } from '../../src/chargeback/cycle';

describe('billing cycle arithmetic', () => {
  it('finds the cycle holding a day, across month and year ends', () => {
    expect(cycleStartOf('2026-11-20', 17)).toBe('2026-11-17');
    expect(cycleStartOf('2026-11-16', 17)).toBe('2026-10-17');
    expect(cycleStartOf('2026-01-03', 5)).toBe('2025-12-05');
    expect(nextCycleStart('2026-12-05', 5)).toBe('2027-01-05');
    expect(cycleLastDay('2026-10-05', 5)).toBe('2026-11-04');
  });

  it('puts a start on the 31st on the last day of shorter months', () => {
    expect(nextCycleStart('2026-01-31', 31)).toBe('2026-02-28');
    expect(nextCycleStart('2026-02-28', 31)).toBe('2026-03-31');
    expect(cycleStartOf('2026-03-01', 31)).toBe('2026-02-28');
    expect(isCycleStart('2026-02-28', 31)).toBe(true);
    expect(isCycleStart('2026-02-27', 31)).toBe(false);
  });

  it('lists the cycles covering a range, newest first', () => {
    expect(cyclesBetween('2026-09-30', '2026-11-17', 17)).toEqual(['2026-11-17', '2026-10-17', '2026-09-17']);
    expect(cyclesBetween('2026-11-17', '2026-11-17', 17)).toEqual(['2026-11-17']);
  });
});
