import { addDays } from '@cursor-cost-watch/contract';
import { BaselineDays, teamPrior, userBaseline } from '../../src/detection/baseline';
import { emptyUserSeries, olderSpend, seriesSet, type UserSeries } from '../../src/detection/series';
import {
  medianOfFirst,
  quantile,
  quantileOfFirst,
  robustScaleOfFirst,
  median,
  robustScale,
} from '../../src/detection/stats';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { rng } from './fixtures';
import { referenceBaseline } from './baseline-reference';

const OLDER_DAYS = DEFAULT_SETTINGS.baselineDays;

/** Random developers: heavy, light, part-time, new (first seen late), absent for weeks, flat (ties). */
function randomUser(rnd: () => number, i: number, n: number, days: string[]): UserSeries {
  const kind = i % 6;
  const firstSeen = kind === 3 ? Math.floor(n * (0.4 + 0.5 * rnd())) : 0;
  const u = emptyUserSeries(`dev${String(i).padStart(3, '0')}@example.com`, days[firstSeen], n, OLDER_DAYS);
  const level = [5000, 80, 900, 600, 1500, 300][kind];
  const activity = [0.95, 0.5, 0.3, 0.9, 0.8, 0.9][kind];
  for (let d = firstSeen; d < n; d++) {
    if (kind === 4 && d > n * 0.3 && d < n * 0.75) continue; // a long absence
    if (rnd() > activity) continue;
    u.events[d] = 1 + Math.floor(rnd() * 60);
    u.tokens[d] = Math.floor(rnd() * 1e6);
    u.cents[d] = kind === 5 ? level : Math.round(level * Math.exp((rnd() - 0.5) * 1.6));
    if (u.firstActive > d) u.firstActive = d;
  }
  // the days before the series, which only the scale reads (none for a developer first seen late)
  for (let d = 0; d < OLDER_DAYS && firstSeen === 0; d++) {
    if (rnd() > activity) continue;
    u.olderLog[d] = olderSpend(kind === 5 ? level : Math.round(level * Math.exp((rnd() - 0.5) * 1.6)), 1);
  }
  return u;
}

describe('userBaseline into BaselineDays', () => {
  it('equals the array-per-call reference bit for bit on random series, with and without flagged days', () => {
    const settings = DEFAULT_SETTINGS;
    for (const seed of [1, 2, 3]) {
      const rnd = rng(seed);
      const n = 70;
      const days = Array.from(
        { length: n },
        (_, d) => `2026-0${1 + Math.floor(d / 28)}-${String(1 + (d % 28)).padStart(2, '0')}`,
      );
      const dayClass = Uint8Array.from(days, (_, d) => (d % 7 >= 5 ? 1 : 0));
      const set = seriesSet(
        days,
        dayClass,
        Array.from({ length: 36 }, (_, i) => randomUser(rnd, i, n, days)),
      );
      const from = 20;
      const prior = teamPrior(set, settings, from);
      let compared = 0;
      const kinds = new Set<string>();
      for (const u of set.users) {
        const flagged = Uint8Array.from({ length: n }, () => (rnd() < (seed === 3 ? 0.6 : 0.15) ? 1 : 0));
        const store = new BaselineDays(from, n - from, settings.shrinkageDays);
        for (let t = from; t < n; t++) {
          userBaseline(u, t, set, prior, flagged, settings, store);
          const want = referenceBaseline(u, t, set, prior, flagged, settings);
          const got = store.at(t);
          expect(got === null).toBe(want === null);
          if (want === null || got === null) continue;
          compared++;
          kinds.add(want.newUser ? 'new' : want.returning ? 'returning' : want.sparse ? 'sparse' : 'own');
          for (const key of Object.keys(want) as (keyof typeof want)[])
            expect(Object.is(got[key], want[key])).toBe(true);
          expect(store.teamLike(t)).toBe(want.newUser || want.returning);
          expect(store.sparse(t)).toBe(want.sparse);
          expect(store.dof(t)).toBe(want.dof);
        }
      }
      expect(compared).toBeGreaterThan(500);
      expect([...kinds].sort()).toEqual(['new', 'own', 'returning', 'sparse']);
    }
  });

  it('equals the reference when baselineDays changes between passes (its reused buffers grow with it)', () => {
    // 28 (the file's other test), then 70 (the buffers grow), then 120 (more than 70, less than twice it)
    for (const baselineDays of [70, 120]) {
      const settings = { ...DEFAULT_SETTINGS, baselineDays };
      const rnd = rng(baselineDays);
      const n = 2 * baselineDays + 10;
      const days = Array.from({ length: n }, (_, d) => addDays('2026-01-01', d));
      const dayClass = Uint8Array.from(days, (_, d) => (d % 7 >= 5 ? 1 : 0));
      const set = seriesSet(
        days,
        dayClass,
        Array.from({ length: 12 }, (_, i) => randomUser(rnd, i, n, days)),
      );
      const from = n - 5;
      const prior = teamPrior(set, settings, from);
      for (const u of set.users) {
        const flagged = new Uint8Array(n);
        const store = new BaselineDays(from, n - from, settings.shrinkageDays);
        for (let t = from; t < n; t++) {
          userBaseline(u, t, set, prior, flagged, settings, store);
          const want = referenceBaseline(u, t, set, prior, flagged, settings);
          expect(store.at(t)).toEqual(want);
        }
      }
    }
  });

  it('medianOfFirst and robustScaleOfFirst read only the first n values', () => {
    const buf = Float64Array.of(3, 1, 2, 100, -100, 7);
    expect(medianOfFirst(buf, 3)).toBe(median([3, 1, 2]));
    expect(medianOfFirst(buf, 4)).toBe(median([3, 1, 2, 100]));
    expect(robustScaleOfFirst(buf, 3, 2)).toBe(robustScale([3, 1, 2], 2));
    expect(Number.isNaN(medianOfFirst(buf, 0))).toBe(true);
  });

  it('quantileOfFirst reads only the first n values, and refuses a p outside 0..1 or more values than there are', () => {
    const buf = Float64Array.of(3, 1, 2, 100, -100, 7);
    expect(quantileOfFirst(buf, 3, 0.9)).toBe(quantile([3, 1, 2], 0.9));
    expect(quantileOfFirst(buf, 4, 0.9)).toBeCloseTo(3 + 0.7 * 97, 10); // sorted 1, 2, 3, 100: position 2.7
    expect(quantileOfFirst(buf, 6, 0)).toBe(-100);
    expect(quantileOfFirst(buf, 6, 1)).toBe(100);
    expect(Number.isNaN(quantileOfFirst(buf, 0, 0.5))).toBe(true);
    expect(() => quantileOfFirst(buf, 3, 1.1)).toThrow(/p must be within 0..1, not 1.1/);
    expect(() => quantileOfFirst(buf, 3, Number.NaN)).toThrow(/p must be within 0..1/);
    expect(() => quantileOfFirst(buf, 7, 0.5)).toThrow(/7 values asked of 6/);
  });
});
