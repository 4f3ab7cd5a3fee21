import { computeEvidence, median, movedTo, mixOf } from '../../src/nudge/evidence-math';
import { renderNudgeEmail } from '../../src/nudge/render';

const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}`;

describe('nudge evidence and email (pure)', () => {
  it('takes medians over working days only, and finds the models moved to with the team cost per request', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const e = computeEvidence({
      email: 'ana@example.com',
      onsetDay: day(10),
      lastDay: day(12),
      devDays: [
        { day: day(1), cents: 1000, requests: 50, maxModeCents: 0, maxModeRequests: 0 },
        { day: day(2), cents: 0, requests: 0, maxModeCents: 0, maxModeRequests: 0 }, // a day off: not a zero day
        { day: day(3), cents: 3000, requests: 90, maxModeCents: 0, maxModeRequests: 0 },
        { day: day(10), cents: 8000, requests: 100, maxModeCents: 4000, maxModeRequests: 10 },
        { day: day(12), cents: 6000, requests: 100, maxModeCents: 0, maxModeRequests: 0 },
      ],
      teamPerDay: [500, 1500, 900],
      modelsBefore: [
        { model: 'gpt-5', cents: 3900, requests: 130 },
        { model: 'opus', cents: 100, requests: 10 },
      ],
      modelsAfter: [
        { model: 'opus', cents: 12000, requests: 150 },
        { model: 'gpt-5', cents: 2000, requests: 50 },
      ],
      teamModelUsual: new Map([['opus', { cents: 5000, requests: 100 }]]),
    });
    expect(e).toMatchObject({
      workingDays: 2,
      spendPerDayCents: 7000,
      spendSinceOnsetCents: 14000,
      usualPerDayCents: 2000,
      baselineWorkingDays: 2,
      teamMedianPerDayCents: 900,
      teamMembers: 3,
      maxMode: { cents: 4000, requests: 10, share: 4000 / 14000 },
    });
    expect(e.movedTo).toEqual([
      { model: 'opus', shareBefore: 0.025, shareAfter: 12000 / 14000, centsPerRequest: 80, teamCentsPerRequest: 50 },
    ]);
    // A model nobody else used has no team figure; one whose share fell is not "moved to".
    expect(movedTo(mixOf([]), mixOf([{ model: 'new', cents: 10, requests: 1 }]), new Map())).toEqual([
      { model: 'new', shareBefore: 0, shareAfter: 1, centsPerRequest: 10, teamCentsPerRequest: null },
    ]);
  });

  it('renders the same facts in text and HTML, escaped, with every amount from the one money formatter', () => {
    const evidence = computeEvidence({
      email: 'o<b>@example.com',
      onsetDay: day(10),
      lastDay: day(10),
      devDays: [{ day: day(10), cents: 125000, requests: 10, maxModeCents: 0, maxModeRequests: 0 }],
      teamPerDay: [],
      modelsBefore: [],
      modelsAfter: [{ model: 'm<x>', cents: 125000, requests: 10 }],
      teamModelUsual: new Map(),
    });
    const mail = renderNudgeEmail({
      nudgeKey: 'nudge:42',
      incidentId: 42,
      detector: 'model_shift',
      impactCents: 100000,
      evidence,
      escalateAt: new Date('2026-11-12T23:00:00Z'),
      escalateAfterDays: 2,
      links: { incident: 'http://g/a/x/incidents/42', userDashboard: null },
    });
    expect(mail.messageId).toBe('<nudge.42@cursor-cost-watch>');
    expect(mail.subject).toBe('Your Cursor spend is up since Tue 10 Nov: $1,250 a day');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('$1,250'); // whole dollars from $1,000, as everywhere (contract/src/format.ts)
      expect(part).toContain('$1,000');
      expect(part).toContain('$125.00'); // cost per request
      expect(part).toContain('nobody else used it');
      expect(part).toContain('You did not use max mode since the onset.');
      expect(part).toContain('2026-11-12 23:00 UTC');
    }
    expect(mail.html).toContain('m&lt;x&gt;');
    expect(mail.html).not.toContain('m<x>');
    expect(mail.text).toContain('m<x> · 0% · 100%');
  });
});
