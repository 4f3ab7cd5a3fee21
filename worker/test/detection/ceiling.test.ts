import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import {
  oracleBars,
  oracleFalseCalls,
  oracleFind,
  oracleZ,
  summarize,
  untouchedDevelopers,
  usualLevel,
  verdict,
  type CeilingRow,
  type OracleDay,
  type UsualLevel,
  withBars,
} from '../../bench/evaluation/ceiling';
import { SCENARIOS } from '../../bench/scenarios/catalog';
import { generateScenario, usualDay } from '../../bench/scenarios/team';
import { DEFAULT_SETTINGS } from '../../src/settings';

const bars = oracleBars(DEFAULT_SETTINGS);

/** A usual day of `expected` cents whose log spend (with the $1 offset) has scale `sigma`. */
const usual = (expected: number, sigma: number, headless = 50): UsualLevel => ({
  center: Math.log(expected + 100),
  sigma,
  expected,
  events: 100,
  premiumShare: 0.05,
  headless,
});

/** Active days (one a calendar day) at the given z's against `level`; extra fields apply to every day. */
function daysAt(level: UsualLevel, zs: number[], extra: Partial<OracleDay> = {}): OracleDay[] {
  return zs.map((z, i) => ({
    day: addDays('2026-11-02', i),
    cents: Math.exp(level.center + z * level.sigma) - 100,
    events: 100,
    headlessCents: 0,
    premiumCents: 0,
    idleWorkdaysBefore: 0,
    usual: level,
    ...extra,
  }));
}

describe('the oracle ceiling (bench:detect-ceiling)', () => {
  it('takes the usual day and its scale on the log spend the engine judges, with its $1 offset', () => {
    const heavy = usualLevel(
      (noise) => ({ cents: 5000 * noise, events: 10 * noise, premiumCents: 500 * noise, headlessCents: 200 * noise }),
      0.3,
    );
    expect(heavy.expected).toBeGreaterThan(4900);
    expect(heavy.expected).toBeLessThan(5050);
    expect(heavy.sigma).toBeCloseTo(0.3 * (5000 / 5100), 1);
    expect(heavy.premiumShare).toBeCloseTo(0.1, 6);
    expect(heavy.events).toBeCloseTo(10 * Math.exp(0.045), 2); // E[e^{σg}] = e^{σ²/2}
    expect(heavy.headless).toBe(200); // the median
    // 50 cents a day at σ 0.5: the offset flattens the noise to about a third of σ
    const light = usualLevel((noise) => ({ cents: 50 * noise, events: 5, premiumCents: 0, headlessCents: 0 }), 0.5);
    expect(light.sigma).toBeGreaterThan(0.12);
    expect(light.sigma).toBeLessThan(0.2);
    expect(light.expected).toBeGreaterThan(45);
    expect(light.expected).toBeLessThan(60);
  });

  it("knows the generator's usual day: an untouched developer's days have z about N(0, 1)", () => {
    const sc = generateScenario(SCENARIOS.find((s) => s.name === 'H1-small')!);
    const touched = new Set(sc.plan!.flatMap((a) => a.users));
    const z: number[] = [];
    sc.devs!.forEach((dev, i) => {
      if (touched.has(i)) return;
      const level = new Map<boolean, UsualLevel>();
      for (const row of sc.input.userDays) {
        if (row.email !== dev.email) continue;
        const weekend = isWeekend(row.day);
        if (!level.has(weekend))
          level.set(
            weekend,
            usualLevel((noise, split) => {
              const d = usualDay(dev, row.day, sc.shape.weekendVolume, noise, split, 1);
              return { cents: d.day.chargedCents, events: d.day.events, premiumCents: 0, headlessCents: 0 };
            }, dev.sigma),
          );
        z.push(oracleZ({ ...daysAt(level.get(weekend)!, [0])[0], cents: row.chargedCents }));
      }
    });
    expect(z.length).toBeGreaterThan(300);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(0.9);
    expect(sd).toBeLessThan(1.1);
  });

  it("calls a spike at the engine's spike bars: z ≥ spikeZThreshold and ≥ spikeMultiplier × the usual day", () => {
    const level = usual(1000, 0.3); // $10 a day
    const spike = daysAt(level, [0.2, 5]); // ×4.5
    expect(oracleFind(spike, bars)).toMatchObject({ index: 1, path: 'spike' });
    // z ≥ 4.5 but under 3× the usual day (a steady developer): no spike, and one day is no drift
    const steady = usual(1000, 0.15);
    expect(Math.exp(4.6 * 0.15)).toBeLessThan(3);
    expect(oracleFind(daysAt(steady, [0, 4.6]), bars)).toBeNull();
    // a large spike: ×10 or more from z 3.5 (a noisy developer)
    const noisy = usual(1000, 0.7);
    const large = daysAt(noisy, [3.6]);
    expect(large[0].cents).toBeGreaterThan(10 * 1000);
    expect(oracleFind(large, bars)).toMatchObject({ index: 0, path: 'large_spike' });
  });

  it("calls a sustained rise at the engine's drift bar, Σ min(z, 3) / √k ≥ 3.75 over k ≥ 2 days", () => {
    const level = usual(1500, 0.4);
    // 2.7 + 2.7 over √2 = 3.82: found on the second day; 2.6 + 2.6 = 3.68 is not, 3 × 2.6 / √3 = 4.50 is
    expect(oracleFind(daysAt(level, [2.7, 2.7]), bars)).toMatchObject({ index: 1, path: 'drift' });
    expect(oracleFind(daysAt(level, [2.6, 2.6]), bars)).toBeNull();
    expect(oracleFind(daysAt(level, [2.6, 2.6, 2.6]), bars)).toMatchObject({ index: 2, path: 'drift' });
    // z is capped at Z_CAP: 4.4 (no spike: ×5.8) then 1.8 is (3 + 1.8) / √2 = 3.39, not (4.4 + 1.8) / √2 = 4.38;
    // a third day at 2 makes (3 + 1.8 + 2) / √3 = 3.93
    expect(oracleFind(daysAt(level, [4.4, 1.8]), bars)).toBeNull();
    expect(oracleFind(daysAt(level, [4.4, 1.8, 2]), bars)).toMatchObject({ index: 2, path: 'drift' });
    // the window takes in two days under onsetZ (endsWindow, as sustainedRun): (2.9 + 0.6 + 2 + 0.6 + 2.9) / √5 =
    // 4.02 on the fifth day (3.18 over the first three, where the window used to end)
    expect(oracleFind(daysAt(level, [2.9, 0.6, 2, 0.6, 2.9]), bars)).toMatchObject({ index: 4, path: 'drift' });
    // a third ends it: 3.05 over the four days before it, not (… + 0.6 + 2.9) / √6 = 3.92
    expect(oracleFind(daysAt(level, [2.9, 0.6, 2, 0.6, 0.6, 2.9]), bars)).toBeNull();
    // and so does a second under expected: 3.35 over three days, not (3 − 0.2 + 3 − 0.2 + 3) / √5 = 3.85
    expect(oracleFind(daysAt(level, [3, -0.2, 3, -0.2, 3]), bars)).toBeNull();
    // a gap of more than MAX_IDLE_GAP idle workdays ends it too
    const gap = daysAt(level, [2.5, 2.5]);
    gap[1].idleWorkdaysBefore = 4;
    expect(oracleFind(gap, bars)).toBeNull();
    // a light developer's rise beyond doubt is not called until its extra since the start reaches $20
    const light = usual(60, 0.12);
    const rise = daysAt(light, Array<number>(30).fill(3));
    const found = oracleFind(rise, bars)!;
    const perDay = rise[0].cents - 60;
    expect(found.index).toBe(Math.ceil(2000 / perDay) - 1);
    expect(found.impact).toBeGreaterThanOrEqual(2000);
  });

  it('calls a headless burst from a day over the reference, a runaway or a model shift from an elevated one', () => {
    // headlessBurst: headless ≥ 3 × the usual (on cents + $1) and, above the usual, half the day's excess
    const level = usual(2000, 0.5, 50);
    const burst = daysAt(level, [0, 1.5]); // $20 → $43.4, z 1.5: no spike, no drift, not elevated; $23 over
    const excess = burst[1].cents - 2000;
    burst[1].headlessCents = 50 + 0.5 * excess;
    expect(burst[1].headlessCents + 100).toBeGreaterThan(3 * 150);
    expect(oracleFind(burst, bars)).toMatchObject({ index: 1, path: 'headless_burst' });
    burst[1].headlessCents = 50 + 0.45 * excess;
    expect(oracleFind(burst, bars)).toBeNull();
    // classify's runaway: headless ≥ 50% of spend and requests ≥ 3 × usual on an elevated day, here not a burst
    // (the usual headless is $20, and $37 is under 3 × $21)
    const busy = usual(2000, 0.5, 2000);
    const runaway = daysAt(busy, [0, 2.2], { headlessCents: 0 });
    expect(oracleFind(runaway, bars)).toBeNull(); // z 2.2 alone is no spike and one day no drift
    runaway[1].headlessCents = 0.6 * runaway[1].cents;
    expect(runaway[1].headlessCents + 100).toBeLessThan(3 * 2100);
    expect(oracleFind(runaway, bars)).toBeNull(); // requests as usual
    runaway[1].events = 400;
    expect(oracleFind(runaway, bars)).toMatchObject({ index: 1, path: 'runaway' });
    const shift = daysAt(level, [0, 2.2]);
    shift[1].premiumCents = 0.5 * shift[1].cents; // 5% usually → 50%
    expect(oracleFind(shift, bars)).toMatchObject({ index: 1, path: 'model' });
    shift[1].premiumCents = 0.3 * shift[1].cents;
    expect(oracleFind(shift, bars)).toBeNull();
  });

  it('calls a model shift from days on a new mix each under elevatedZ, elevated together (mixRun)', () => {
    const level = usual(2000, 0.5);
    const run = daysAt(level, [0.6, 1.9, 0.4, 1.5]); // Σ z / √k: 1.77 by the second day, 2.2 by the fourth
    for (const d of run) d.premiumCents = 0.8 * d.cents; // 5% usually → 80%
    expect(oracleFind(run, bars)).toMatchObject({ index: 3, path: 'model' });
    run[0].premiumCents = 0.3 * run[0].cents; // the first day on the old mix: 3.8 / √3 = 2.19 still
    expect(oracleFind(run, bars)).toMatchObject({ index: 3, path: 'model' });
    run[1].premiumCents = 0.3 * run[1].cents; // the two days on the new mix: 1.9 / √2 = 1.34
    expect(oracleFind(run, bars)).toBeNull();
    for (const d of run) d.premiumCents = 0; // the same cost on the usual mix
    expect(oracleFind(run, bars)).toBeNull();
  });

  it("says whose a miss is: beyond the data when the oracle too misses it or is late, else the engine's", () => {
    const row = (oracle: number | null, engine: number | null, judged = true): CeilingRow => ({
      id: 'x',
      kind: 'level_shift',
      worthyDay: '2026-11-02',
      judged,
      oracle: oracle === null ? null : { day: addDays('2026-11-02', oracle), delay: oracle, path: 'drift' },
      engine: engine === null ? null : { day: addDays('2026-11-02', engine), delay: engine },
    });
    expect(verdict(row(2, null), 3)).toBe("the engine's");
    expect(verdict(row(3, 7), 3)).toBe("the engine's");
    expect(verdict(row(4, null), 3)).toBe('beyond the data');
    expect(verdict(row(null, 9), 3)).toBe('beyond the data');
    expect(verdict(row(0, 3), 3)).toBeNull();
    expect(verdict(row(0, null, false), 3)).toBeNull();
    const s = summarize([row(2, null), row(4, null), row(null, 9), row(0, 0), row(null, 1), row(0, null, false)], 3);
    expect(s).toMatchObject({
      judged: 5,
      oracleFound: 3,
      oracleInTime: 2,
      oracleWorstDelay: 4,
      engineFound: 3,
      engineInTime: 2,
      missedBeyond: 1,
      missedEngine: 1,
      lateBeyond: 1,
      lateEngine: 0,
      engineOnly: 2,
    });
  });

  it('counts the calls it would make on a developer no anomaly touches, one per stretch', () => {
    const level = usual(1500, 0.4);
    // ordinary days: nothing
    expect(oracleFalseCalls(daysAt(level, [0.3, -0.5, 1.2, 0.1, -1, 0.8, 0.4]), bars)).toBe(0);
    // one stretch of five days at z 2.8: one call (on its second day), not one a day while it lasts
    const stretch = [0.2, 2.8, 2.8, 2.8, 2.8, 2.8, 0.1, 0.3, 0.2];
    expect(oracleFalseCalls(daysAt(level, stretch), bars)).toBe(1);
    // two such stretches, two quiet days between them: two calls; one quiet day between them: still one
    expect(oracleFalseCalls(daysAt(level, [2.8, 2.8, 0.1, 0.2, 2.8, 2.8]), bars)).toBe(2);
    expect(oracleFalseCalls(daysAt(level, [2.8, 2.8, 0.1, 2.8, 2.8, 2.8]), bars)).toBe(1);
    // the two quiet days must be in a row: quiet days apart hold the call too
    expect(oracleFalseCalls(daysAt(level, [2.8, 2.8, 0.1, 2.8, 0.1, 2.8, 2.8]), bars)).toBe(1);
    // at a lower drift bar, two days at z 2.5 ((2.5 + 2.5) / √2 = 3.54 < 3.75) become a call
    const milder = daysAt(level, [0, 2.5, 2.5, 0, 0]);
    expect(oracleFalseCalls(milder, bars)).toBe(0);
    expect(oracleFalseCalls(milder, withBars(bars, '{"driftZ":3.5}'))).toBe(1);
  });

  it('takes other bars for the oracle only by their names, and says what is wrong with any other', () => {
    const lower = withBars(bars, '{"driftZ":3,"spikeZ":4}');
    expect(lower).toEqual({ ...bars, driftZ: 3, spikeZ: 4 });
    expect(bars.driftZ).toBe(3.75); // the engine's own bars are left as they are
    expect(() => withBars(bars, '{"driftz":3}')).toThrow(/unknown bar "driftz"/);
    expect(() => withBars(bars, '{"toString":3}')).toThrow(/unknown bar "toString"/); // not an inherited name
    expect(() => withBars(bars, '{"driftZ":1e999}')).toThrow(/"driftZ" must be a finite number, got Infinity/);
    expect(() => withBars(bars, '{"driftZ":"3"}')).toThrow(/"driftZ" must be a finite number, got "3"/);
    expect(() => withBars(bars, '[3]')).toThrow(/must be a JSON object/);
    expect(() => withBars(bars, '{driftZ:3}')).toThrow(/--bars is not JSON/);
  });

  it('counts false calls on the developers no planned anomaly touches, a team-wide jump aside', () => {
    const plan = [
      { kind: 'spike', users: [1] },
      { kind: 'team_jump', users: [0, 1, 2, 3, 4] },
      { kind: 'level_shift', users: [3] },
    ];
    expect(untouchedDevelopers(plan, 6)).toEqual([0, 2, 4, 5]);
    expect(untouchedDevelopers([], 3)).toEqual([0, 1, 2]);
  });
});
