import { addDays, isWeekend } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection/detect';
import { DetectionInputError, type DetectionInput } from '../../src/detection/input';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings';
import { asOfDay, emailOf, makeInput } from './fixtures';

const asOf = '2026-11-18'; // a Wednesday
const settings = (patch: Partial<Settings> = {}): Settings => ({ ...DEFAULT_SETTINGS, ...patch });
const forUser = (all: ReturnType<typeof detect>, i: number) => all.filter((a) => a.subject === emailOf(i));

describe('detect: edge cases', () => {
  it('finds nothing in an empty history', () => {
    expect(detect({ asOf, userDays: [], userModelDays: [], members: [], cycleSpend: [] }, settings())).toEqual([]);
  });

  it('handles a single user: quiet history, then a spike today', () => {
    const quiet = makeInput({ users: 1, days: 60, asOf, seed: 2 });
    expect(detect(quiet, settings())).toEqual([]);
    const spiky = makeInput({
      users: 1,
      days: 60,
      asOf,
      seed: 2,
      requests: 120,
      tweak: (_e, day) => (day === asOf ? { volume: 8, active: true } : undefined),
    });
    const found = detect(spiky, settings());
    expect(found).toHaveLength(1);
    const [a] = found;
    expect(a).toMatchObject({ scope: 'user', subject: emailOf(0), detector: 'personal_spike', asOf, unit: 'cents' });
    // the onset walks back over the days already above expected: today, or a mildly high yesterday
    expect([asOf, addDays(asOf, -1)]).toContain(a.onsetAt.slice(0, 10));
    expect(a.observed).toBeGreaterThan(5 * a.expected);
    expect(a.impactCents).toBeGreaterThanOrEqual(a.observed - a.expected - 1); // plus any excess since the onset
    expect(a.bandHigh!).toBeGreaterThan(a.expected);
    expect(a.bandHigh!).toBeLessThan(a.observed);
    expect(a.why.driver).toBe('volume');
    expect(a.why.volumeFactor).toBeGreaterThan(4);
    expect(a.summary).toContain(emailOf(0));
    expect(a.summary).toContain('spike');
  });

  it('stays quiet and finite for a team that spends nothing', () => {
    const input = makeInput({ users: 10, days: 60, asOf, seed: 4 });
    const zero: DetectionInput = {
      ...input,
      userDays: input.userDays.map((r) => ({ ...r, chargedCents: 0, headlessCents: 0, maxModeCents: 0 })),
      userModelDays: input.userModelDays.map((r) => ({ ...r, chargedCents: 0 })),
    };
    expect(detect(zero, settings())).toEqual([]);
  });

  it('compares a new hire with the team: normal spend is quiet, ten times the team is flagged', () => {
    const newHire = emailOf(20);
    const first = addDays(asOf, -3);
    const normal = makeInput({
      users: 21,
      days: 60,
      asOf,
      seed: 5,
      firstDay: (e) => (e === newHire ? first : undefined),
    });
    expect(forUser(detect(normal, settings()), 20)).toEqual([]);
    const heavy = makeInput({
      users: 21,
      days: 60,
      asOf,
      seed: 5,
      firstDay: (e) => (e === newHire ? first : undefined),
      tweak: (e, day) => (e === newHire && day === asOf ? { volume: 12, active: true } : undefined),
    });
    const found = forUser(detect(heavy, settings()), 20);
    expect(found.map((a) => a.detector)).toEqual(['team_zscore']);
    expect(found[0].why.newUser).toBe(true);
    expect(found[0].why.firstSeenDay).toBe(first);
  });

  it("compares a joiner whose first day is a Saturday with the team's heavy users' workdays, not the light weekend", () => {
    // bench:detect's T4-churn dev0059: a power user's first day, a Saturday of $28, read as far above the team's
    // weekend (a few people's light check-ins) and opened a team_zscore incident
    const saturday = '2026-11-14';
    const team = makeInput({ users: 20, days: 60, asOf: saturday, seed: 5, requests: 400 });
    const workdays = team.userDays.filter((r) => !isWeekend(r.day)).map((r) => r.chargedCents);
    const typical = workdays.sort((a, b) => a - b)[Math.floor(workdays.length / 2)];
    const joinerOn = (cents: number): DetectionInput => {
      const email = emailOf(20);
      const row = { email, day: saturday, events: Math.round(cents / 8), totalTokens: 1_000_000 };
      return {
        ...team,
        members: [...team.members, { email, firstSeenDay: saturday, isRemoved: false }],
        userDays: [
          ...team.userDays,
          {
            ...row,
            chargedCents: cents,
            requestsCosts: row.events,
            maxModeEvents: 0,
            headlessEvents: 0,
            maxModeCents: 0,
            headlessCents: 0,
          },
        ],
        userModelDays: [...team.userModelDays, { ...row, model: 'mid-model', chargedCents: cents }],
      };
    };
    // three times the team's typical workday: a power user at work, quiet
    expect(forUser(detect(joinerOn(3 * typical), settings()), 20)).toEqual([]);
    // thirty times it is still far above even the team's heavy users
    expect(forUser(detect(joinerOn(30 * typical), settings()), 20).map((a) => a.detector)).toEqual(['team_zscore']);
  });

  it("judges weekends against weekends: a team's quiet weekends raise nothing, a weekend spike is measured from a weekend baseline", () => {
    const input = makeInput({ users: 30, days: 70, asOf, seed: 6 });
    const weekendAlerts = [];
    for (let d = 0; d < 28; d++) {
      const day = addDays(asOf, -d);
      if (isWeekend(day)) weekendAlerts.push(...detect(asOfDay(input, day), settings()));
    }
    expect(weekendAlerts).toEqual([]);

    const saturday = '2026-11-14';
    const spiky = makeInput({
      users: 30,
      days: 66,
      asOf: saturday,
      seed: 6,
      requests: 250,
      tweak: (e, day) => (e === emailOf(3) && day === saturday ? { volume: 12, active: true } : undefined),
    });
    const [a] = forUser(detect(spiky, settings()), 3);
    expect(a.detector).toBe('personal_spike');
    // the weekend baseline expects far less than this user's workday
    const workdays = spiky.userDays
      .filter((r) => r.email === emailOf(3) && !isWeekend(r.day))
      .map((r) => r.chargedCents)
      .sort((x, y) => x - y);
    expect(a.expected).toBeLessThan(0.5 * workdays[workdays.length >> 1]);
  });

  it('reports a team-wide price jump once for the team, not once per developer', () => {
    const jump = addDays(asOf, -2);
    const input = makeInput({
      users: 40,
      days: 60,
      asOf,
      seed: 7,
      tweak: (_e, day, i) => (day >= jump && i % 5 !== 0 ? { priceFactor: 2 } : undefined),
    });
    const found = detect(input, settings());
    const team = found.filter((a) => a.scope === 'team');
    expect(team).toHaveLength(1);
    expect(team[0]).toMatchObject({ subject: 'team', detector: 'team_shift', onsetAt: `${jump}T00:00:00.000Z` });
    expect(team[0].observed).toBeGreaterThan(1.5 * team[0].expected);
    expect(found.filter((a) => a.scope === 'user').length).toBeLessThanOrEqual(2);
  });

  it('rejects negative spend, NaN and rows after asOf, naming the field, user and day', () => {
    const input = makeInput({ users: 3, days: 20, asOf, seed: 8 });
    const bad = (patch: (i: DetectionInput) => void) => {
      const copy = structuredClone(input);
      patch(copy);
      return () => detect(copy, settings());
    };
    const negative = bad((i) => (i.userDays[5].chargedCents = -12));
    expect(negative).toThrow(DetectionInputError);
    expect(negative).toThrow(`chargedCents is -12 for ${input.userDays[5].email} on ${input.userDays[5].day}`);
    expect(bad((i) => (i.userDays[2].events = Number.NaN))).toThrow(
      `events is NaN for ${input.userDays[2].email} on ${input.userDays[2].day}`,
    );
    expect(bad((i) => (i.userModelDays[0].chargedCents = -1))).toThrow(/chargedCents is -1 .* \(model /);
    expect(bad((i) => (i.userDays[0].day = addDays(asOf, 1)))).toThrow(/after asOf/);
    expect(bad((i) => (i.asOf = '18/11/2026'))).toThrow(/asOf "18\/11\/2026" must be a day/);
  });
});

describe('detect: detectors', () => {
  it('sees a slow ramp as a sustained drift, with the onset where it began', () => {
    const start = addDays(asOf, -8);
    const input = makeInput({
      users: 20,
      days: 60,
      asOf,
      seed: 9,
      requests: 100,
      tweak: (e, day, _i) => {
        if (e !== emailOf(2) || day < start) return undefined;
        const step = Math.round((Date.parse(day) - Date.parse(start)) / 86_400_000) + 1;
        return { volume: 1 + 0.2 * step, active: true };
      },
    });
    const found = forUser(detect(input, settings()), 2);
    expect(found.map((a) => a.detector)).toEqual(['sustained_drift']);
    expect(found[0].onsetAt.slice(0, 10) <= addDays(start, 3)).toBe(true);
    expect(found[0].impactCents).toBeGreaterThan(2000);
  });

  it('keeps a level shift as one episode from its onset until the baseline adapts', () => {
    const start = addDays(asOf, -6);
    const input = makeInput({
      users: 20,
      days: 70,
      asOf,
      seed: 9,
      requests: 300,
      tweak: (e, day) => (e === emailOf(2) && day >= start ? { volume: 2.5, active: true } : undefined),
    });
    const onsets = new Set<string>();
    for (let d = 0; d <= 2; d++) {
      const found = forUser(detect(asOfDay(input, addDays(asOf, -d)), settings()), 2);
      expect(found).toHaveLength(1);
      onsets.add(found[0].onsetAt);
    }
    expect([...onsets]).toEqual([`${start}T00:00:00.000Z`]);
    const later = makeInput({
      users: 20,
      days: 90,
      asOf: addDays(asOf, 30),
      seed: 9,
      requests: 300,
      tweak: (e, day) => (e === emailOf(2) && day >= start ? { volume: 2.5, active: true } : undefined),
    });
    expect(forUser(detect(later, settings()), 2)).toEqual([]);
  });

  it('sees a shift to expensive models at the same volume as a model shift, and says so', () => {
    const start = addDays(asOf, -2);
    const input = makeInput({
      users: 20,
      days: 60,
      asOf,
      seed: 10,
      tweak: (e, day) => (e === emailOf(4) && day >= start ? { premiumShare: 0.5, active: true } : undefined),
    });
    const [a] = forUser(detect(input, settings()), 4);
    expect(a.detector).toBe('model_shift');
    expect(a.why.premiumShareBefore!).toBeLessThan(0.3);
    expect(a.why.premiumShareAfter!).toBeGreaterThan(0.6);
    expect(a.why.topModel).toBe('premium-model');
    expect(a.why.volumeFactor).toBeLessThan(1.5);
    expect(a.summary).toContain('expensive models');
  });

  it('sees a headless volume explosion as a runaway agent', () => {
    const input = makeInput({
      users: 20,
      days: 60,
      asOf,
      seed: 11,
      tweak: (e, day) => (e === emailOf(6) && day === asOf ? { headlessRequests: 900, active: true } : undefined),
    });
    const [a] = forUser(detect(input, settings()), 6);
    expect(a.detector).toBe('runaway_agent');
    expect(a.why.headlessShare).toBeGreaterThan(0.8);
    expect(a.why.volumeFactor).toBeGreaterThan(5);
  });

  it('ignores an excess below the minimum dollar impact', () => {
    const input = makeInput({
      users: 20,
      days: 60,
      asOf,
      seed: 12,
      requests: 20,
      tweak: (e, day) => (e === emailOf(1) && day === asOf ? { volume: 4, active: true } : undefined),
    });
    const found = forUser(detect(input, settings()), 1);
    expect(found).toEqual([]);
    expect(forUser(detect(input, settings({ minImpactDollars: 1 })), 1).length).toBe(1);
  });

  it('reports the limits like the original when asked to, and folds them into the personal anomaly by default', () => {
    const input = makeInput({
      users: 10,
      days: 60,
      asOf,
      seed: 13,
      requests: 100,
      tweak: (e, day) => (e === emailOf(0) && day === asOf ? { volume: 15, active: true } : undefined),
    });
    input.cycleSpend = [{ email: emailOf(0), cycleStart: '2026-11-01', spendCents: 0 }];
    const always = forUser(detect(input, settings({ thresholdsOnlyWhenUnusual: false })), 0)
      .map((a) => a.detector)
      .sort();
    expect(always).toEqual(['cycle_spend', 'daily_requests', 'daily_tokens', 'personal_spike']);
    const requests = forUser(detect(input, settings({ thresholdsOnlyWhenUnusual: false })), 0).find(
      (a) => a.detector === 'daily_requests',
    )!;
    expect(requests.unit).toBe('requests');
    expect(requests.observed).toBeGreaterThan(500);
    expect(requests.why.limit).toBe(500);
    const folded = forUser(detect(input, settings()), 0);
    expect(folded.map((a) => a.detector)).toEqual(['personal_spike']);
    // this user's normal pace already passes $50 a cycle: crossing it is not news, the request and token limits are
    expect(folded[0].why.limitsCrossed?.sort()).toEqual(['daily_requests', 'daily_tokens']);
    expect(folded[0].summary).toContain('over the');
  });

  it('grades severity by dollars since onset and leaves disabled detectors out', () => {
    const input = makeInput({
      users: 10,
      days: 60,
      asOf,
      seed: 14,
      requests: 200,
      tweak: (e, day) => (e === emailOf(0) && day === asOf ? { volume: 10, active: true } : undefined),
    });
    const [a] = forUser(detect(input, settings()), 0);
    const expected = a.impactCents >= 50_000 ? 'critical' : a.impactCents >= 10_000 ? 'warning' : 'info';
    expect(a.severity).toBe(expected);
    expect(
      forUser(detect(input, settings({ severityWarningDollars: 1, severityCriticalDollars: 2 })), 0)[0].severity,
    ).toBe('critical');
    expect(forUser(detect(input, settings({ disabledDetectors: ['personal_spike'] })), 0)).toEqual([]);
  });

  it('raises almost nothing on a quiet team replayed day by day', () => {
    const input = makeInput({ users: 40, days: 80, asOf, seed: 15 });
    let alerts = 0;
    for (let d = 0; d < 21; d++) alerts += detect(asOfDay(input, addDays(asOf, -d)), settings()).length;
    // 40 developers × 21 days = 840 user-days
    expect(alerts).toBeLessThanOrEqual(2);
  });
});
