import { billingGroupsResponseSchema, dailyUsageResponseSchema, spendResponseSchema } from '../../src/cursor/schemas';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';
import { DAY, get, NOW, post, utcDay } from './http';

describe('simulated Cursor API: daily usage, spend and groups over HTTP', () => {
  const team = createSimulatedTeam({ seed: 8, teamSize: 35, now: () => NOW });
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({ team, apiKey: 'k', rateLimitsPerMinute: null });
  });
  afterAll(async () => server.close());

  const range = { startDate: utcDay('2026-03-09'), endDate: utcDay('2026-03-15') + DAY - 1 };

  it('without paging returns only active rows, one per user per day, with the period', async () => {
    const res = await post(`${server.url}/teams/daily-usage-data`, 'k', range);
    expect(res.status).toBe(200);
    const body = dailyUsageResponseSchema.parse(res.json());
    expect(body.period).toEqual(range);
    expect(body.pagination).toBeUndefined();
    expect(body.data.length).toBeGreaterThan(0);
    expect(body.data.every((r) => r.isActive)).toBe(true);
    expect(new Set(body.data.map((r) => `${r.email}|${r.day}`)).size).toBe(body.data.length);
    expect(body.data.length).toBe(team.dailyUsage(range.startDate, range.endDate).length);
    const row = res.json().data[0];
    expect(typeof row.userId).toBe('number');
    expect(row.date).toBe(utcDay(row.day));
  });

  it('with paging returns every member with a membership in the range, inactive days included', async () => {
    const members = team
      .members()
      .filter((m) => m.joinedDay <= '2026-03-15' && (m.leftDay === null || m.leftDay > '2026-03-09'));
    const seen = new Set<string>();
    let rows = 0;
    for (let page = 1; ; page++) {
      const body = (await post(`${server.url}/teams/daily-usage-data`, 'k', { ...range, page, pageSize: 10 })).json();
      expect(body.pagination).toMatchObject({
        page,
        pageSize: 10,
        totalUsers: members.length,
        totalPages: Math.ceil(members.length / 10),
      });
      for (const r of body.data) seen.add(r.email);
      rows += body.data.length;
      if (!body.pagination.hasNextPage) break;
    }
    expect([...seen].sort()).toEqual(members.map((m) => m.email).sort());
    expect(rows).toBe(team.dailyUsage(range.startDate, range.endDate, { includeInactive: true }).length);
    expect(rows).toBeGreaterThan(team.dailyUsage(range.startDate, range.endDate).length);
  });

  it('searches, sorts and pages /teams/spend', async () => {
    const all = spendResponseSchema.parse((await post(`${server.url}/teams/spend`, 'k', {})).json());
    expect(all.totalPages).toBe(1);
    const amounts = all.teamMemberSpend.map((r) => r.spendCents);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    const paged = (
      await post(`${server.url}/teams/spend`, 'k', { page: 2, pageSize: 10, sortBy: 'user', sortDirection: 'asc' })
    ).json();
    expect(paged.totalPages).toBe(Math.ceil(all.totalMembers / 10));
    expect(paged.teamMemberSpend).toHaveLength(10);
    const byName = [...all.teamMemberSpend].sort(
      (a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.email.localeCompare(b.email),
    );
    expect(paged.teamMemberSpend.map((r: { email: string }) => r.email)).toEqual(
      byName.slice(10, 20).map((r) => r.email),
    );
    const someone = all.teamMemberSpend[3];
    const found = (await post(`${server.url}/teams/spend`, 'k', { searchTerm: someone.email.toUpperCase() })).json();
    expect(found.teamMemberSpend.map((r: { email: string }) => r.email)).toEqual([someone.email]);
    expect(found.subscriptionCycleStart).toBe(all.subscriptionCycleStart);
  });

  it('serves billing groups for the current and a past cycle', async () => {
    const current = billingGroupsResponseSchema.parse((await get(`${server.url}/teams/groups`, 'k')).json());
    const spend = team.spend();
    expect(current.billingCycle).toEqual({
      start: new Date(spend.subscriptionCycleStart).toISOString().slice(0, 10),
      end: null,
    });
    expect(current.groups.length).toBeGreaterThan(0);
    for (const g of current.groups)
      expect(g.spendCents).toBeCloseTo(
        g.dailySpend.reduce((s, d) => s + d.spendCents, 0),
        4,
      );
    const pastDay = new Date(Number(spend.subscriptionCycleStart) - 5 * DAY).toISOString().slice(0, 10);
    const past = (await get(`${server.url}/teams/groups?billingCycle=${pastDay}`, 'k')).json();
    expect(past.billingCycle < current.billingCycle!.start).toBe(true);
    expect(past.groups[0].dailySpend.length).toBeGreaterThanOrEqual(28);
    const bad = await get(`${server.url}/teams/groups?billingCycle=2026-02-30`, 'k');
    expect(bad.status).toBe(400);
    expect(bad.json().message).toMatch(/billingCycle/);
  });
});
