/**
 * A level shift the rolling baseline absorbs before it is significant (rise.ts frozenShift; issue #12: bench:detect's
 * H5-churn dev0723, ×1.8 at a day-to-day spread of σ ≈ 0.47, whose expected climbed 77 → 130 $/day as the shifted
 * days entered the median, each day then at z 0.1–0.9). Here a developer of a noisy team (every day × e^(0.45·N(0,1))
 * on top of the fixture's ±25%) spends ×1.8 from Monday 2026-11-02: their expected rises from $8–11 a day to $17–18
 * over the next three weeks and their daily z falls to 0.4–0.7, so that no window of the rolling reference was
 * significant while the level read the window alone (without the frozen reference, this developer was never alerted
 * on). Judged against the baseline as it was on the shift's second day, the days since are significant (found on
 * Nov 20; on Nov 18 since the scale also reads the four weeks before the baseline's; on Nov 17 since the level does
 * too; on Nov 16 since a single team day needs more, below). The level now follows the shift more slowly, and the
 * rolling reference finds it on the same day as well, but from its second day (onset Nov 3): the onset on the shift's first day is the frozen reference's (checked: the test
 * fails with frozenShift off).
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, noisyTeam } from './fixtures';

const asOf = '2026-11-20';
const start = '2026-11-02';
const who = emailOf(3);

function alerts(shift: number): { day: string; subject: string; detector: string; onset: string }[] {
  const input = noisyTeam(10, asOf, 0.45, (email, date, volume) => ({
    volume: email === who && date >= start ? shift * volume : volume,
  }));
  const found: { day: string; subject: string; detector: string; onset: string }[] = [];
  for (let day = addDays(start, -14); day <= asOf; day = addDays(day, 1))
    for (const a of detect(asOfDay(input, day), DEFAULT_SETTINGS))
      if (a.scope === 'user')
        found.push({ day, subject: a.subject, detector: a.detector, onset: a.onsetAt.slice(0, 10) });
  return found;
}

describe('a level shift the rolling baseline absorbs', () => {
  it('is found against the baseline frozen at its change point, with its onset at the start', () => {
    const found = alerts(1.8);
    const mine = found.filter((a) => a.subject === who);
    expect(mine.length).toBeGreaterThan(0);
    // Nov 16 since Dec 6 2026: before, a team shift of one day on Nov 16 (this team of ten moves a lot; no elevated
    // day before it, under ONE_DAY_TEAM_Z) was told that day as the team's, and this developer's alert came on Nov 17.
    expect(mine[0]).toMatchObject({ day: '2026-11-16', detector: 'sustained_drift' });
    // The onset is the shift's first day, the frozen reference's change point. Since the level also reads the four
    // weeks before the baseline's, the rolling reference finds this shift too, on the same day, from its second day
    // (onset Nov 3): the onset is what tells the frozen reference's find from it.
    expect(mine[0].onset).toBe(start);
    // Nobody else on the team is alerted on.
    expect(found.filter((a) => a.subject !== who)).toEqual([]);
  });

  it('raises nothing on the same team without the shift', () => {
    expect(alerts(1)).toEqual([]);
  });
});
