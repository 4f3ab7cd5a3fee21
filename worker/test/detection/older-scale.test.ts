/**
 * A developer's scale also reads the baselineDays before the baseline's own (userBaseline, UserSeries.olderLog). The MAD
 * of 15–20 days is only 37% efficient: four weeks that are by chance quiet halve a noisy developer's scale, and their
 * next ordinary days read as a drift — most of bench:detect's false alerts sat on scales 0.40–0.78 of the developer's
 * true spread (docs/benchmarks.md). Built directly on userBaseline: one developer, one evaluated day, the days before it
 * written by hand.
 */
import { BaselineDays, logSpend, MEDIAN_VARIANCE, teamPrior, userBaseline } from '../../src/detection/baseline';
import { median } from '../../src/detection/stats';
import {
  buildSeries,
  classOfDay,
  emptyUserSeries,
  olderSpend,
  seriesDays,
  seriesSet,
  type UserSeries,
} from '../../src/detection/series';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { rng } from './fixtures';

const settings = DEFAULT_SETTINGS;
const B = settings.baselineDays;
const { days, dayClass } = seriesDays('2026-09-25', '2026-11-20', true);
const n = days.length; // 57: historyDays
const t = n - 1;

/** Standard normal draws (Box–Muller) from the fixtures' seeded generator. */
function gaussian(seed: number): () => number {
  const noise = rng(seed);
  return () => Math.sqrt(-2 * Math.log(noise() + 1e-12)) * Math.cos(2 * Math.PI * noise());
}

/**
 * A workday-only developer around $50 a day, judged on day `at`: the baseline's days (the baselineDays before `at`) at
 * spread `recent`, the days before those at spread `older` and `olderLevel` times the level — in the window, and
 * before it (UserSeries.olderLog) for a day early in the window.
 */
function developer(at: number, recent: number, older: number, olderLevel = 1): UserSeries {
  const u = emptyUserSeries('dev@example.com', null, n, B);
  const gauss = gaussian(17);
  const cents = (d: number) =>
    d >= at - B ? 5000 * Math.exp(recent * gauss()) : olderLevel * 5000 * Math.exp(older * gauss());
  for (let d = -B; d < n; d++) {
    if (classOfDay({ dayClass }, d) === 1) continue;
    if (d < 0) {
      u.olderLog[d + B] = olderSpend(Math.round(cents(d)), 40);
    } else {
      u.events[d] = 40;
      u.cents[d] = Math.round(cents(d));
      u.firstActive = Math.min(u.firstActive, d);
    }
  }
  return u;
}

/** Day `at`'s baseline; the team prior (here the developer alone) from `priorOf`'s days, u's by default. */
function baselineAt(u: UserSeries, at: number, priorOf: UserSeries = u): BaselineDays {
  const set = seriesSet(days, dayClass, [u]);
  const prior = teamPrior(seriesSet(days, dayClass, [priorOf]), settings, at);
  const store = new BaselineDays(at, 1, settings.shrinkageDays);
  userBaseline(u, at, set, prior, new Uint8Array(n), settings, store);
  expect(store.has(at)).toBe(true);
  return store;
}

/** Day `at`'s scale. */
const scaleOf = (u: UserSeries, at: number, priorOf: UserSeries = u): number => baselineAt(u, at, priorOf).scale[0];

/** Day `at`'s spread: its scale without the widening for the level's own error, which depends on the level's days. */
function spreadOf(u: UserSeries, at: number, priorOf: UserSeries = u): number {
  const b = baselineAt(u, at, priorOf);
  return b.scale[0] / Math.sqrt(1 + MEDIAN_VARIANCE / Math.max(3, b.ownDays[0]));
}

describe('classOfDay', () => {
  it('gives a day before the window the class of its weekday', () => {
    // the window starts on Friday 2026-09-25
    expect([-1, -5, -6, -7, -8, -13, -14].map((d) => classOfDay({ dayClass }, d))).toEqual([0, 1, 1, 0, 0, 1, 0]);
  });
});

describe('buildSeries', () => {
  it("keeps a developer's day before the window, whatever their email holds", () => {
    const row = (email: string, day: string, chargedCents: number) => ({
      email,
      day,
      events: 3,
      chargedCents,
      totalTokens: 10,
      maxModeCents: 0,
      headlessCents: 0,
      requestsCosts: 0,
      maxModeEvents: 0,
      headlessEvents: 0,
    });
    const email = 'a|b@x.io';
    const input = {
      asOf: '2026-11-20',
      userDays: [row(email, '2026-11-20', 500), row(email, '2026-11-18', 900)],
      userModelDays: [],
      members: [],
      cycleSpend: [],
    };
    const set = buildSeries(input, '2026-11-19', true, 3); // 2026-11-18 is the last day before the window
    expect(set.users[0].olderLog[2]).toBe(Math.fround(olderSpend(900, 3)));
  });
});

describe("a developer's scale", () => {
  // asOf (its older block inside the window), and a day early in the window (its older block mostly before it)
  it.each([t, 30])('is wider after four quiet weeks when the four before them were not (day %i)', (at) => {
    const quietOnly = scaleOf(developer(at, 0.2, 0.2), at);
    const withNoisyBefore = scaleOf(developer(at, 0.2, 0.6), at);
    // the quiet weeks alone: about their own spread (or the floors); with the noisy block before, well above it
    expect(withNoisyBefore).toBeGreaterThan(quietOnly * 1.3);
  });

  it.each([t, 30])('is not widened by a level that changed between the blocks (day %i)', (at) => {
    const same = developer(at, 0.35, 0.35);
    // (the same team prior for both: the typical spread of a team of one would see the level change)
    // (the spread: the level of `same` also reads the older block, so its median's error widens its scale less)
    const tripledBefore = spreadOf(developer(at, 0.35, 0.35, 3), at, same);
    // within 2% (spend is judged on log(cents + $1): the offset weighs less at three times the level); around one
    // median for both blocks, the older days would sit ln 3 ≈ 1.1 away and the scale would be far wider
    expect(Math.abs(tripledBefore / spreadOf(same, at) - 1)).toBeLessThan(0.02);
  });

  it("is the team's for a developer back from a month away, however they varied before", () => {
    // active in the window's first four weeks and today only: no day of their own in the baseline's window
    const returning = (older: number) => {
      const u = developer(t, 0.3, older);
      for (let d = t - B; d < t; d++) u.events[d] = u.cents[d] = 0;
      return u;
    };
    const team = [1, 2, 3, 4].map((k) => ({ ...developer(t, 0.3, 0.3), email: `team${k}@example.com` }));
    const scale = (u: UserSeries) => {
      const set = seriesSet(days, dayClass, [u, ...team]);
      const store = new BaselineDays(t, 1, settings.shrinkageDays);
      userBaseline(u, t, set, teamPrior(set, settings, t), new Uint8Array(n), settings, store);
      expect(store.at(t)?.returning).toBe(true);
      return store.scale[0];
    };
    expect(scale(returning(0.9))).toBe(scale(returning(0.1)));
  });

  it('rests its degrees of freedom on the recent days only', () => {
    const u = developer(t, 0.3, 0.3);
    const set = seriesSet(days, dayClass, [u]);
    const store = new BaselineDays(t, 1, settings.shrinkageDays);
    userBaseline(u, t, set, teamPrior(set, settings, t), new Uint8Array(n), settings, store);
    const recentDays = Array.from({ length: B }, (_, k) => t - B + k).filter((d) => u.events[d] > 0).length;
    expect(store.days(t)).toBe(recentDays + settings.shrinkageDays);
  });
});

describe("a developer's level when the window has too few clean days", () => {
  // A part-timer: four ordinary workdays early in the window, then four at ×3 that are held (flagged, within
  // adaptAfterDays) as a rise not yet confirmed; ordinary workdays before the window (bench:detect's T4-churn
  // dev0483: back from a week away at a higher level, whose held days then made the baseline).
  const workdaysBack = (at: number, fromBack: number, count: number): number[] => {
    const out: number[] = [];
    for (let d = at - fromBack; out.length < count; d--) if (classOfDay({ dayClass }, d) === 0) out.push(d);
    return out;
  };
  const put = (u: UserSeries, d: number, cents: number) => {
    if (d < 0) u.olderLog[d + B] = olderSpend(cents, 10);
    else {
      u.events[d] = 10;
      u.cents[d] = cents;
      u.firstActive = Math.min(u.firstActive, d);
    }
  };
  /** The part-timer judged on day `at`, with `older` ordinary workdays from `olderFrom` days back. */
  function partTimer(at: number, older: number, olderFrom = B + 2) {
    const u = emptyUserSeries('part@example.com', null, n, B);
    const flagged = new Uint8Array(n);
    workdaysBack(at, 16, 4).forEach((d, i) => put(u, d, [650, 700, 750, 720][i]));
    workdaysBack(at, 1, 4).forEach((d) => {
      put(u, d, 2100);
      flagged[d] = 1;
    });
    if (older > 0) workdaysBack(at, olderFrom, older).forEach((d, i) => put(u, d, 680 + 10 * (i % 6)));
    return { u, flagged };
  }
  const baselineOf = (at: number, older: number, s = settings, olderFrom = B + 2) => {
    const { u, flagged } = partTimer(at, older, olderFrom);
    const set = seriesSet(days, dayClass, [u]);
    const store = new BaselineDays(at, 1, s.shrinkageDays);
    userBaseline(u, at, set, teamPrior(set, s, at), flagged, s, store);
    return store.at(at)!;
  };
  const expectedOf = (b: { center: number }) => Math.exp(b.center) - 100;

  // asOf (the days before the window inside the series), and a day whose days before the window are in olderLog
  it.each([t, 30])('stays at their level from the days before the window, not the held days (day %i)', (at) => {
    const b = baselineOf(at, 4);
    // the median of the four ordinary days in the window and the four before it: 700-720 cents
    expect(expectedOf(b)).toBeGreaterThan(690);
    expect(expectedOf(b)).toBeLessThan(725);
    expect(b.ownDays).toBe(8);
  });

  // (day 32 is a Tuesday: a weekend day of a workday-only developer borrows the other class, and reads no block)
  it.each([t, 32])('reads the whole block before the window once it has five such days (day %i)', (at) => {
    const b = baselineOf(at, 6);
    // the four ordinary days in the window and the six before it make the level; the days that stood in for held
    // ones are among those six and are not counted twice
    expect(b.ownDays).toBe(10);
    expect(expectedOf(b)).toBeGreaterThan(680);
    expect(expectedOf(b)).toBeLessThan(725);
  });

  it.each([0, 2])('takes in the held days when the days before the window are too few (%i of them)', (older) => {
    const b = baselineOf(t, older);
    // four ordinary days and the four held ones at 2,100: the median lies between the two levels; no day before the
    // window joins them
    expect(expectedOf(b)).toBeGreaterThan(1000);
    expect(b.ownDays).toBe(8);
  });

  it('takes only days past adaptAfterDays from before the window (a day within it may be a held one)', () => {
    // adaptAfterDays 40: the four days before the window (30-36 days back) are within it, and none stand in
    expect(expectedOf(baselineOf(t, 4, { ...settings, adaptAfterDays: 40 }))).toBeGreaterThan(1000);
  });

  it('takes no day more than baselineDays before the window', () => {
    // eight ordinary workdays 57-67 days back (in olderLog at asOf): beyond the block before the window
    expect(expectedOf(baselineOf(t, 8, settings, 2 * B + 1))).toBeGreaterThan(1000);
  });

  it('leaves a developer back from a month away to the team, whatever days lie before the window', () => {
    const u = emptyUserSeries('back@example.com', null, n, B);
    workdaysBack(t, B + 2, 10).forEach((d) => put(u, d, 700));
    put(u, t, 700);
    const team = [1, 2, 3, 4].map((k) => ({ ...developer(t, 0.3, 0.3), email: `team${k}@example.com` }));
    const set = seriesSet(days, dayClass, [u, ...team]);
    const store = new BaselineDays(t, 1, settings.shrinkageDays);
    userBaseline(u, t, set, teamPrior(set, settings, t), new Uint8Array(n), settings, store);
    expect(store.at(t)?.returning).toBe(true);
    expect(store.ownDays[0]).toBe(0);
  });
});

describe("a developer's level", () => {
  // The median of 15-20 days is uncertain (π/2 · σ²/n): a ×2 level shift of a noisy developer was not significant
  // within the window (bench:detect's T1-steady dev0002, drift-evidence.test.ts). The block before the window adds
  // its days when the two medians agree.
  const workdays = (from: number, to: number, u: UserSeries) => {
    let k = 0;
    for (let d = from; d < to; d++) if (d < 0 ? !Number.isNaN(u.olderLog[d + B]) : u.events[d] > 0) k++;
    return k;
  };

  // asOf, and a Tuesday early in the window (its block before mostly in olderLog)
  it.each([t, 32])('reads the block before the window when the two agree (day %i)', (at) => {
    const u = developer(at, 0.35, 0.35);
    const b = baselineAt(u, at).at(at)!;
    // most of the older block's days: the same level, its median a little apart by chance
    const recent = workdays(at - B, at, u);
    expect(b.ownDays).toBeGreaterThan(recent + 0.75 * workdays(at - 2 * B, at - B, u));
    expect(b.ownDays).toBeLessThanOrEqual(recent + workdays(at - 2 * B, at - B, u));
    // around the true level, $50 (log(cents + $1))
    expect(Math.abs(b.center - Math.log(5100))).toBeLessThan(0.15);
  });

  it.each([t, 32])('keeps the window’s own when the block before was at another level (day %i)', (at) => {
    const same = developer(at, 0.35, 0.35);
    const halvedBefore = developer(at, 0.35, 0.35, 0.5);
    const b = baselineAt(halvedBefore, at, same).at(at)!;
    expect(b.ownDays).toBe(workdays(at - B, at, halvedBefore));
    // the median of the window's days alone, not pulled towards the lower block's
    const window: number[] = [];
    for (let d = at - B; d < at; d++) if (halvedBefore.events[d] > 0) window.push(logSpend(halvedBefore.cents[d]));
    expect(b.center).toBe(median(window));
  });

  it('weighs the block before the less the further apart the two levels are, so the level moves by small steps', () => {
    const same = developer(t, 0.35, 0.35);
    const recent = workdays(t - B, t, same);
    const steps = [1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7].map((level) =>
      baselineAt(developer(t, 0.35, 0.35, level), t, same),
    );
    const weights = steps.map((b) => b.ownDays[0] - recent);
    // from most of the block's days down to none (the same draws, the block's level lower step by step), through
    // weights in between: a taper, not a cut
    expect(weights[0]).toBeGreaterThan(15);
    expect(weights[weights.length - 1]).toBe(0);
    expect(weights.filter((w) => w > 0 && w < 10).length).toBeGreaterThan(0);
    // the expected never moves by more than 5% between two steps of 5% in the older level
    for (let i = 1; i < steps.length; i++)
      expect(Math.abs(steps[i].center[0] - steps[i - 1].center[0])).toBeLessThan(0.05);
  });

  it('needs five days of the class in the block before the window', () => {
    // the older block's workdays thinned to k (the window's untouched)
    const thinned = (k: number) => {
      const u = developer(t, 0.35, 0.35);
      let kept = 0;
      for (let d = t - 2 * B; d < t - B; d++) if (u.events[d] > 0 && ++kept > k) u.events[d] = u.cents[d] = 0;
      return baselineAt(u, t, developer(t, 0.35, 0.35)).ownDays[0];
    };
    const recent = workdays(t - B, t, developer(t, 0.35, 0.35));
    expect(thinned(4)).toBe(recent);
    expect(thinned(5)).toBeGreaterThan(recent);
  });

  it('reads the block before the window with weekdayAware off too (every day one class)', () => {
    const flat = seriesDays('2026-09-25', '2026-11-20', false);
    const u = emptyUserSeries('flat@example.com', null, n, B);
    const gauss = gaussian(23);
    for (let d = 0; d < n; d++) {
      u.events[d] = 40;
      u.cents[d] = Math.round(5000 * Math.exp(0.35 * gauss()));
      u.firstActive = Math.min(u.firstActive, d);
    }
    const s = { ...settings, weekdayAware: false };
    const set = seriesSet(flat.days, flat.dayClass, [u]);
    const store = new BaselineDays(t, 1, s.shrinkageDays);
    userBaseline(u, t, set, teamPrior(set, s, t), new Uint8Array(n), s, store);
    // the window's 28 days and most of the 28 before them
    expect(store.ownDays[0]).toBeGreaterThan(B + 0.75 * B);
    expect(store.ownDays[0]).toBeLessThanOrEqual(2 * B);
  });

  it('narrows the widening for the level’s own error with the days it rests on', () => {
    const u = developer(t, 0.35, 0.35);
    const pooled = baselineAt(u, t);
    const apart = baselineAt(developer(t, 0.35, 0.35, 0.5), t, u);
    // √(1 + π/2/n): the same spread widened less for ~40 days than for ~20
    expect(spreadOf(u, t)).toBeCloseTo(spreadOf(developer(t, 0.35, 0.35, 0.5), t, u), 1);
    expect(pooled.scale[0] / apart.scale[0]).toBeLessThan(1);
  });
});
