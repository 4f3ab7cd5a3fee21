import { spendResponseSchema, usageEventsResponseSchema } from '../../src/cursor/schemas';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';
import { DAY, get, NOW, post } from './http';

const LIMIT_PATH = '/teams/user-spend-limit';

describe('simulated POST /teams/user-spend-limit: rate limit and error answers', () => {
  let clock = NOW;
  const team = createSimulatedTeam({ seed: 3, teamSize: 12, now: () => NOW, cycleDayOfMonth: 1 });
  let server: SimulatorServer;
  beforeAll(async () => {
    // Default limits: the endpoint has its own budget of 60 a minute (cursor-api.md: 60 or 250).
    server = await startSimulatorServer({ team, apiKey: 'key_admin', rateClock: () => clock });
  });
  afterAll(async () => server.close());

  it("allows 60 changes a minute, then answers 429 with Cursor's body and Retry-After, on its own budget", async () => {
    const email = team.apiMembers().find((m) => !m.isRemoved)!.email;
    clock = Date.UTC(2026, 2, 18, 15, 30, 10);
    for (let i = 0; i < 60; i++) {
      const ok = await post(`${server.url}${LIMIT_PATH}`, 'key_admin', {
        userEmail: email,
        spendLimitDollars: 100 + i,
      });
      expect([i, ok.status, ok.json().outcome]).toEqual([i, 200, 'success']);
    }
    const refused = await post(`${server.url}${LIMIT_PATH}`, 'key_admin', { userEmail: email, spendLimitDollars: 1 });
    expect(refused.status).toBe(429);
    expect(refused.json()).toEqual({
      error: 'Too Many Requests',
      message: 'Rate limit exceeded. Please try again later.',
    });
    expect(refused.headers.get('retry-after')).toBe('50'); // seconds left in the minute at :10
    // Other endpoints keep their own budget.
    expect((await get(`${server.url}/teams/members`, 'key_admin')).status).toBe(200);
    // The 429 changed nothing: the last accepted limit stands.
    const spend = spendResponseSchema.parse((await post(`${server.url}/teams/spend`, 'key_admin', {})).json());
    expect(spend.teamMemberSpend.find((r) => r.email === email)?.monthlyLimitDollars).toBe(159);
    clock += 60_000; // the next minute
    const again = await post(`${server.url}${LIMIT_PATH}`, 'key_admin', { userEmail: email, spendLimitDollars: 7 });
    expect(again.status).toBe(200);
  });

  it('answers outcome "error" for someone not in the team, and 400 naming the field for a bad amount', async () => {
    clock += 60_000;
    const member = team.apiMembers().find((m) => !m.isRemoved)!.email;
    const unknown = await post(`${server.url}${LIMIT_PATH}`, 'key_admin', {
      userEmail: 'nobody@else.example',
      spendLimitDollars: 5,
    });
    expect([unknown.status, unknown.json()]).toEqual([
      200,
      { outcome: 'error', message: 'User nobody@else.example is not in the team' },
    ]);
    const removed = team.apiMembers().find((m) => m.isRemoved);
    if (removed) {
      const r = await post(`${server.url}${LIMIT_PATH}`, 'key_admin', {
        userEmail: removed.email,
        spendLimitDollars: 5,
      });
      expect(r.json().outcome).toBe('error');
    }
    const cases: [unknown, string][] = [
      [2.5, 'spendLimitDollars must be an integer number of dollars'],
      [-5, 'spendLimitDollars must not be negative'],
      ['10', 'spendLimitDollars must be an integer number of dollars or null'],
      [undefined, 'spendLimitDollars is required'],
    ];
    for (const [value, message] of cases) {
      const res = await post(`${server.url}${LIMIT_PATH}`, 'key_admin', {
        userEmail: member,
        spendLimitDollars: value,
      });
      expect([value, res.status, res.json()]).toEqual([
        value,
        400,
        { error: 'Bad Request', message: `Invalid request body: ${message}` },
      ]);
    }
    const removedLimit = await post(`${server.url}${LIMIT_PATH}`, 'key_admin', {
      userEmail: member,
      spendLimitDollars: null,
    });
    expect(removedLimit.json()).toEqual({ outcome: 'success', message: `Spend limit for ${member} set to none` });
  });
});

describe('simulated developer usage under a spend limit', () => {
  let now = NOW;
  const options = { seed: 11, teamSize: 20, cycleDayOfMonth: 1 } as const;
  const limited = createSimulatedTeam({ ...options, now: () => now });
  const twin = createSimulatedTeam({ ...options, now: () => now }); // the same team, nobody limited
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({ team: limited, apiKey: 'key_admin', rateLimitsPerMinute: null });
  });
  afterAll(async () => server.close());

  const spendOf = async (email: string) => {
    const body = spendResponseSchema.parse((await post(`${server.url}/teams/spend`, 'key_admin', {})).json());
    return body.teamMemberSpend.find((r) => r.email === email)!;
  };
  /** Every event of the window, page by page, as a collector reads them. */
  const eventsOf = async (email: string, startDate: number, endDate: number) => {
    const events = [];
    for (let page = 1; ; page++) {
      const res = await post(`${server.url}/teams/filtered-usage-events`, 'key_admin', {
        email,
        startDate,
        endDate,
        page,
        pageSize: 1000,
      });
      const body = usageEventsResponseSchema.parse(res.json());
      events.push(...body.usageEvents);
      if (!body.pagination?.hasNextPage) return events;
    }
  };

  it("stops the developer once the cycle's on-demand spend reaches the limit, and resumes when it is removed", async () => {
    // The heaviest spender so far, limited $5 above what they have spent on demand.
    const top = twin.spend().teamMemberSpend[0];
    const limitDollars = Math.floor(top.spendCents / 100) + 5;
    const setAt = now;
    const res = await post(`${server.url}/teams/user-spend-limit`, 'key_admin', {
      userEmail: top.email,
      spendLimitDollars: limitDollars,
    });
    expect(res.json().outcome).toBe('success');

    now = NOW + 4 * DAY;
    const capped = await spendOf(top.email);
    const free = twin.spend().teamMemberSpend.find((r) => r.email === top.email)!;
    // Without the limit they would have gone well past it; with it they stop within one call of it.
    expect(free.spendCents).toBeGreaterThan(limitDollars * 100 + 500);
    const after = await eventsOf(top.email, setAt + 1, now);
    const before = await eventsOf(top.email, Date.UTC(2026, 2, 1), setAt);
    const biggestCall = Math.max(...[...before, ...after].map((e) => e.chargedCents));
    expect(capped.spendCents).toBeGreaterThanOrEqual(top.spendCents);
    expect(capped.spendCents).toBeLessThanOrEqual(limitDollars * 100 + biggestCall);
    expect(capped.monthlyLimitDollars).toBe(limitDollars);
    // The events served agree with /teams/spend: every call of the cycle adds up to the overall spend.
    const cycleCents = [...before, ...after].reduce((s, e) => s + e.chargedCents, 0);
    expect(cycleCents).toBeCloseTo(capped.overallSpendCents ?? 0, 3);
    // Calls before the limit was set are untouched.
    expect(before.length).toBe(twin.eventsBetween(Date.UTC(2026, 2, 1), setAt, { email: top.email }).length);
    // Other developers are not affected.
    const other = twin.spend().teamMemberSpend[1];
    expect((await spendOf(other.email)).overallSpendCents).toBeCloseTo(other.overallSpendCents ?? 0, 5);

    // Removing the limit lets later calls through again.
    const removedAt = now;
    await post(`${server.url}/teams/user-spend-limit`, 'key_admin', { userEmail: top.email, spendLimitDollars: null });
    now = NOW + 8 * DAY;
    expect((await eventsOf(top.email, removedAt + 1, now)).length).toBeGreaterThan(0);
    expect((await spendOf(top.email)).spendCents).toBeGreaterThan(capped.spendCents);
  });
});
