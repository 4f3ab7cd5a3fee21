/**
 * A window's days pooled as one z (rise.ts pooledZ) share their baseline median's error only within a class of day:
 * a weekend day is judged against the median of the developer's weekend days, a workday against their workdays'.
 * Every pair used to be counted as sharing day t's error, so on a Saturday (a median of 13 weekend days against the
 * workdays' 21) a ramp's four workdays were weighed as if they shared the weekend's wider one. bench:detect's pattern:
 * H4-holidays' $817 ramp (held out), ×1.5 → ×2.4 of a developer's $30 workday over Oct 20–24 (z 0.8, 1.6, 1.7, 2.1,
 * then 2.9 on the Saturday), found on Monday Oct 26 instead of that Saturday.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { pooledZ, sharedError } from '../../src/detection/rise';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { SCENARIOS } from '../../bench/scenarios/catalog';
import { generateScenario } from '../../bench/scenarios/team';
import { asOfDay } from './fixtures';

describe('pooled evidence by class of day', () => {
  const workdays = sharedError(21, 1);
  const weekend = sharedError(13, 1);

  it('counts no shared error between a workday and a weekend day', () => {
    // Two days of different classes pool as independent days; two of one class do not.
    expect(pooledZ(4, 1, 1, [workdays, weekend])).toBeCloseTo(4 / Math.sqrt(2), 10);
    expect(pooledZ(4, 2, 0, [workdays, weekend])).toBeLessThan(4 / Math.sqrt(2));
    // Four workdays and a Saturday: only the workdays' pairs share, and at the workdays' error.
    const mixed = pooledZ(9, 4, 1, [workdays, weekend]);
    expect(mixed).toBeCloseTo(9 / Math.sqrt(5 + 12 * workdays.shared), 10);
    expect(mixed).toBeGreaterThan(pooledZ(9, 5, 0, [weekend, weekend]));
  });

  it('shares the whole error on every day for someone judged against the team', () => {
    const team = sharedError(5, 1, true);
    expect(pooledZ(6, 2, 2, [team, team])).toBeCloseTo(6 / Math.sqrt(4 + team.medianError * 16), 10);
  });

  it('finds a workday ramp on the Saturday it reaches the bar, not the Monday after', () => {
    const sc = generateScenario(SCENARIOS.find((s) => s.name === 'H4-holidays')!);
    const who = 'h4-holidays.dev0162@example.org';
    expect(sc.truth.find((t) => t.email === who)).toMatchObject({ kind: 'ramp', startDay: '2026-10-20' });
    let first: { day: string; detector: string } | undefined;
    for (let day = '2026-10-20'; day <= '2026-10-26' && !first; day = addDays(day, 1)) {
      const a = detect(asOfDay(sc.input, day), DEFAULT_SETTINGS).find((x) => x.subject === who);
      if (a) first = { day, detector: a.detector };
    }
    expect(first).toEqual({ day: '2026-10-24', detector: 'sustained_drift' });
  });
});
