/**
 * The four failure kinds of issue #12, each rebuilt from its pattern and replayed day by day (pure, no database).
 */
import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { summarize } from '../../src/detection/report';
import { asOfDay, emailOf, makeInput } from './fixtures';

/** Every anomaly of the replayed days from..to (inclusive), with its evaluated day. */
function replay(input: ReturnType<typeof makeInput>, from: string, to: string) {
  const out: { day: string; subject: string; detector: string; onset: string; summary: string }[] = [];
  for (let day = from; day <= to; day = addDays(day, 1))
    for (const a of detect(asOfDay(input, day), DEFAULT_SETTINGS))
      out.push({ day, subject: a.subject, detector: a.detector, onset: a.onsetAt.slice(0, 10), summary: a.summary });
  return out;
}

describe('issue #12 failure patterns', () => {
  it('does not flag a steady power user as "far above the team" when the data began on a weekend', () => {
    // 2026-08-01 is a Saturday: the first data day has only weekend workers; the power user starts on Monday.
    const first = '2026-08-01';
    const asOf = addDays(first, 34);
    const power = emailOf(0);
    const input = makeInput({
      users: 40,
      days: 35,
      asOf,
      seed: 12,
      tweak: (email, day) => (email === power ? { volume: 15, active: isWeekend(day) ? false : undefined } : undefined),
      firstDay: (email) => (email === power ? '2026-08-03' : undefined),
    });
    const flagged = replay(input, addDays(first, 3), asOf).filter((a) => a.subject === power);
    expect(flagged).toEqual([]);
  });

  it('keeps a weekend bump from opening a team incident that absorbs Monday’s real jump', () => {
    const asOf = '2026-11-20'; // a Friday
    const saturday = '2026-11-14';
    const monday = '2026-11-16';
    const input = makeInput({
      users: 150,
      days: 60,
      asOf,
      seed: 7,
      // A bump among the few who work weekends, then the real team-wide price change from Monday on.
      tweak: (_email, day) =>
        day === saturday || day === '2026-11-15' ? { volume: 2 } : day >= monday ? { priceFactor: 1.6 } : undefined,
    });
    const team = replay(input, saturday, asOf).filter((a) => a.subject === 'team');
    expect(team.filter((a) => a.day < monday)).toEqual([]);
    expect(team.map((a) => a.day)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20']);
    // The onset is Monday, and stays Monday as the days pass.
    expect(new Set(team.map((a) => a.onset))).toEqual(new Set([monday]));
  });

  it('finds a ramp and a level shift within four days of their start', () => {
    const asOf = '2026-11-20';
    const start = '2026-11-09'; // a Monday
    const ramp = emailOf(3);
    const shift = emailOf(4);
    const input = makeInput({
      users: 30,
      days: 60,
      asOf,
      seed: 5,
      requests: 150,
      tweak: (email, day) => {
        // The shifting user is a heavy one (×3 the usual level), so that doubling is worth $20 within two days.
        if (day < start) return email === shift ? { volume: 3 } : undefined;
        const n = (Date.parse(day) - Date.parse(start)) / 86_400_000 + 1;
        if (email === ramp) return { volume: 1 + Math.min(1, n / 8) * 2 }; // to ×3 over 8 days
        if (email === shift) return { volume: 3 * 2 };
        return undefined;
      },
    });
    const all = replay(input, addDays(start, -3), asOf);
    for (const who of [ramp, shift]) {
      const found = all.filter((a) => a.subject === who);
      expect(found.length).toBeGreaterThan(0);
      expect(found[0].detector).toBe('sustained_drift');
      expect(found[0].day <= addDays(start, 4)).toBe(true);
    }
  });

  it('finds a light developer’s level shift when its extra reaches $20, not once one week of it does', () => {
    // About 60 cents a workday, ×3 from a Monday on: beyond doubt within days, but $20 only after three weeks or
    // so, far more than the ten active days a rise's window holds add up to (before, never found).
    const start = '2026-11-02'; // a Monday
    const asOf = '2026-12-04';
    const light = emailOf(5);
    const input = makeInput({
      users: 30,
      days: 70,
      asOf,
      seed: 21,
      tweak: (email, day) => (email === light ? { volume: day < start ? 0.3 : 0.9 } : undefined),
    });
    const rows = input.userDays.filter((r) => r.email === light && !isWeekend(r.day));
    const before = rows.filter((r) => r.day < start).map((r) => r.chargedCents);
    const usual = [...before].sort((a, b) => a - b)[before.length >> 1];
    let extra = 0;
    const worthyDay = rows.filter((r) => r.day >= start).find((r) => (extra += r.chargedCents - usual) >= 2_000)?.day;
    expect(worthyDay).toBeDefined();
    const found = replay(input, start, asOf).filter((a) => a.subject === light);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].detector).toBe('sustained_drift');
    expect(found[0].day <= addDays(worthyDay!, 1)).toBe(true);
    // Its onset is where the shift began (within a day).
    expect(found[0].onset >= addDays(start, -1) && found[0].onset <= addDays(start, 1)).toBe(true);
  });

  it('calls a one-day spike after a quiet month a spike, and headlines its peak day, not the last day', () => {
    const asOf = '2026-11-20';
    const spikeDay = '2026-11-17';
    const quiet = emailOf(2);
    const input = makeInput({
      users: 30,
      days: 60,
      asOf,
      seed: 9,
      requests: 60,
      // Usual days long ago, a quiet (idle) month, one day of ~$110, then back to a few dollars a day.
      tweak: (email, day) =>
        email !== quiet
          ? undefined
          : day === spikeDay
            ? { volume: 25, active: true }
            : day > spikeDay || day < '2026-10-15'
              ? { volume: 1, active: true }
              : { active: false },
    });
    const mine = replay(input, spikeDay, asOf).filter((a) => a.subject === quiet);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.map((a) => a.detector)).toEqual(mine.map(() => 'personal_spike'));
    expect(mine.every((a) => a.onset === spikeDay)).toBe(true);
    expect(mine[0].summary).toMatch(/spend spike — \$1\d\d\.\d\d on 2026-11-17/);
  });

  it('headlines the peak day and the total, not the last evaluated day', () => {
    const line = summarize({
      scope: 'user',
      subject: 'quiet@example.com',
      detector: 'personal_spike',
      severity: 'warning',
      asOf: '2026-11-19',
      onsetAt: '2026-11-17T00:00:00.000Z',
      observed: 475,
      expected: 300,
      bandLow: 100,
      bandHigh: 900,
      unit: 'cents',
      impactCents: 10_900,
      topModel: null,
      why: {
        driver: 'volume',
        volumeFactor: 20,
        costPerRequestFactor: 1,
        topModel: null,
        topModelShare: 0,
        maxModeShare: 0,
        headlessShare: 0,
        peakDay: '2026-11-17',
        peakCents: 11_000,
        peakExpectedCents: 300,
      },
    });
    expect(line).toContain(
      'peak $110.00 on 2026-11-17 vs ~$3.00 expected; $109.00 above expected in total since 2026-11-17',
    );
    expect(line).not.toContain('$4.75');
  });
});
