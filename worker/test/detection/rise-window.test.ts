/**
 * A rise's window takes in its quieter days (rise.ts endsWindow): a slow rise's days above expected but under the
 * reference (z 0–1) no longer end it at the second one, so the days of evidence before them count. On bench:detect's
 * own pattern: M1-plain's developer 6, a $47 level shift from 2026-10-05 that was never found while the window ended
 * at its second quiet day (docs/benchmarks.md, Dec 6 2026).
 */
import { detect } from '../../src/detection';
import { endsWindow, MAX_DAYS_UNDER_EXPECTED, MAX_QUIET_DAYS, type QuietDays } from '../../src/detection/rise';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { SCENARIOS } from '../../bench/scenarios/catalog';
import { generateScenario } from '../../bench/scenarios/team';
import { asOfDay, firstAlert } from './fixtures';

/** Walks days of z back from today as sustainedRun does: how many it takes in before the window ends. */
function taken(zs: number[], onsetZ = DEFAULT_SETTINGS.onsetZ): number {
  const days: QuietDays = { quiet: 0, under: 0 };
  let k = 0;
  for (const z of zs) {
    if (endsWindow(days, z, onsetZ)) break;
    k++;
  }
  return k;
}

describe('a rise window’s quieter days', () => {
  it('takes in days at or over the reference without counting them', () => {
    expect(taken([2.1, 1.0, 3.5, 1.4, 2.2])).toBe(5);
  });

  it(`takes in ${MAX_QUIET_DAYS} days above expected but under the reference, and ends at the next`, () => {
    expect(MAX_QUIET_DAYS).toBe(2);
    expect(taken([2.1, 0.4, 1.8, 0.7, 2.5, 0.2, 3.0])).toBe(5);
  });

  it(`takes in ${MAX_DAYS_UNDER_EXPECTED} day under expected, and ends at the next`, () => {
    expect(MAX_DAYS_UNDER_EXPECTED).toBe(1);
    expect(taken([2.1, -0.3, 1.8, -1.2, 2.5])).toBe(3);
    // a day under expected is a quieter day too: one of each fills both counts
    expect(taken([2.1, -0.3, 1.8, 0.5, 2.5, 0.6, 1.9])).toBe(5);
  });

  it('finds a level shift whose quieter days used to end its window', () => {
    const sc = generateScenario(SCENARIOS.find((s) => s.name === 'M1-plain')!);
    const who = 'm1-plain.dev0006@example.org';
    const truth = sc.truth.find((t) => t.email === who)!;
    expect(truth).toMatchObject({ kind: 'level_shift', startDay: '2026-10-05' });
    expect(firstAlert(sc.input, who, '2026-10-05', '2026-10-20')).toEqual({
      asOf: '2026-10-14',
      detector: 'sustained_drift',
    });
    const alert = detect(asOfDay(sc.input, '2026-10-14'), DEFAULT_SETTINGS).find((a) => a.subject === who)!;
    expect(alert.onsetAt.slice(0, 10)).toBe('2026-10-06');
  });
});
