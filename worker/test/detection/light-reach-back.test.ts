/**
 * A rise whose extra within its window is under minImpact may count its extra from where it began, up to a baseline
 * window back: that is for a light developer (a ×4 ramp of 60 cents a day is beyond doubt long before its window
 * holds $20). A developer whose rise would be worth minImpact within the window, and is not, rose too little to be
 * news: before, their earlier ordinary-but-high days made up the difference (bench:detect, Dec 3 2026: held-out
 * H5-churn and H6-large, false sustained drifts on developers expecting $2.50–$4.70 a day, onsets 6–11 days back).
 * Replays of 100 seeds of this team at four spend levels and spreads: the only alert the rule removes is this one.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, noisyTeam } from './fixtures';

const userAlerts = (input: ReturnType<typeof noisyTeam>, day: string, who: string) =>
  detect(asOfDay(input, day), DEFAULT_SETTINGS).filter((a) => a.scope === 'user' && a.subject === who);

describe('counting a rise from where it began, weeks back', () => {
  it('is not done for a developer expecting $2.60 a day whose days are only noise', () => {
    // Every day × e^(0.5·N(0,1)), nothing changing. This developer spends about $2.60 a workday; by chance $12.20 on
    // Thursday Oct 15, then ordinary days, then $9.01 and $12.82 on Tuesday and Wednesday Oct 20–21: those two days
    // are a significant rise worth about $16, and the days after add too little to reach $20. Before, the $9.60 above
    // the usual of Oct 15 was counted in and a sustained drift opened on Oct 21 with its onset on Oct 15 ($26),
    // reported through Oct 24.
    const input = noisyTeam(81, '2026-11-20', 0.5, (_email, _date, volume) => ({ volume: volume * 0.8 }));
    const who = emailOf(14);
    const usual = input.userDays.filter((r) => r.email === who && r.day >= '2026-09-21' && r.day <= '2026-10-14');
    const mean = usual.reduce((sum, r) => sum + r.chargedCents, 0) / usual.length;
    expect(mean).toBeGreaterThan(200); // not a light developer: ten days at twice the usual would be worth $20
    for (let day = '2026-10-15'; day <= '2026-10-24'; day = addDays(day, 1))
      expect(userAlerts(input, day, who).map((a) => [day, a.detector, a.onsetAt.slice(0, 10)])).toEqual([]);
  });
});
