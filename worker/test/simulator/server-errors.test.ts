import { apiErrorSchema, membersResponseSchema } from '../../src/cursor/schemas';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';
import { DAY, get, NOW, post, utcDay } from './http';

describe('simulated Cursor API: auth and request errors', () => {
  const team = createSimulatedTeam({ seed: 3, teamSize: 12, now: () => NOW });
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({
      team,
      apiKey: 'key_admin',
      analyticsApiKey: 'key_analytics',
      nonEnterpriseApiKey: 'key_pro',
      rateLimitsPerMinute: null,
    });
  });
  afterAll(async () => server.close());

  it('lists members with the admin key, removed members included', async () => {
    const res = await get(`${server.url}/teams/members`, 'key_admin');
    expect(res.status).toBe(200);
    const body = membersResponseSchema.parse(res.json());
    expect(body.teamMembers.map((m) => m.email)).toEqual(team.apiMembers().map((m) => m.email));
    expect(body.teamMembers.length).toBeGreaterThan(0);
  });

  it('answers 401 without a key and with a wrong key', async () => {
    for (const key of [null, 'key_wrong', 'key_analytics']) {
      const res = await get(`${server.url}/teams/members`, key);
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ error: 'Unauthorized', message: 'Invalid API key' });
    }
    const basicWithoutKey = await get(`${server.url}/teams/members`, null, { authorization: 'Basic Og==' });
    expect(basicWithoutKey.status).toBe(401);
  });

  it('answers 403 for a non-Enterprise key', async () => {
    const res = await post(`${server.url}/teams/spend`, 'key_pro', {});
    expect(res.status).toBe(403);
    expect(res.json()).toEqual({ error: 'Forbidden', message: 'Enterprise access required' });
  });

  it('answers 404 as JSON for an unknown path', async () => {
    const res = await get(`${server.url}/teams/nothing-here`, 'key_admin');
    expect(res.status).toBe(404);
    expect(apiErrorSchema.parse(res.json()).error).toBe('Not Found');
  });

  it('answers 400 naming the problem for bad JSON, missing dates and bad paging', async () => {
    const bad = await post(`${server.url}/teams/filtered-usage-events`, 'key_admin', '{"startDate": 1,');
    expect(bad.status).toBe(400);
    expect(bad.json().message).toMatch(/not valid JSON/);

    const missing = await post(`${server.url}/teams/filtered-usage-events`, 'key_admin', { endDate: NOW });
    expect(missing.status).toBe(400);
    expect(missing.json()).toEqual({ error: 'Bad Request', message: 'Invalid request body: startDate is required' });

    const wrongType = await post(`${server.url}/teams/daily-usage-data`, 'key_admin', {
      startDate: 'yesterday',
      endDate: NOW,
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json().message).toMatch(/startDate must be epoch milliseconds/);

    const tooBig = await post(`${server.url}/teams/filtered-usage-events`, 'key_admin', {
      startDate: NOW - DAY,
      endDate: NOW,
      pageSize: 1001,
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.json().message).toMatch(/pageSize must be at most 1000/);

    const reversed = await post(`${server.url}/teams/filtered-usage-events`, 'key_admin', {
      startDate: NOW,
      endDate: NOW - DAY,
    });
    expect(reversed.status).toBe(400);
  });

  it('refuses daily usage and analytics ranges over 30 days, accepts exactly 30', async () => {
    const start = utcDay('2026-02-01');
    const over = await post(`${server.url}/teams/daily-usage-data`, 'key_admin', {
      startDate: start,
      endDate: start + 30 * DAY + 1,
    });
    expect(over.status).toBe(400);
    expect(over.json()).toEqual({ error: 'Bad Request', message: 'Date range cannot exceed 30 days' });
    const exactly = await post(`${server.url}/teams/daily-usage-data`, 'key_admin', {
      startDate: start,
      endDate: start + 30 * DAY,
    });
    expect(exactly.status).toBe(200);

    const analytics = await get(
      `${server.url}/analytics/team/dau?startDate=2026-01-01&endDate=2026-02-15`,
      'key_analytics',
    );
    expect(analytics.status).toBe(400);
    expect(analytics.json().message).toBe('Date range cannot exceed 30 days');
  });

  it('serves analytics only with the analytics key, with ETag, Cache-Control and 304', async () => {
    const url = `${server.url}/analytics/team/models?startDate=2026-03-10&endDate=2026-03-16`;
    expect((await get(url, 'key_admin')).status).toBe(401);
    const first = await get(url, 'key_analytics');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('public, max-age=900');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const rows = first.json().data as { date: string; model: string; messages: number; users: number }[];
    const expected = team.eventsBetween(utcDay('2026-03-10'), utcDay('2026-03-17') - 1).length;
    expect(rows.reduce((n, r) => n + r.messages, 0)).toBe(expected);
    const again = await get(url, 'key_analytics', { 'if-none-match': etag as string });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const changed = await get(url, 'key_analytics', { 'if-none-match': '"stale"' });
    expect(changed.status).toBe(200);
  });

  it('sets a user spend limit, visible in /teams/spend', async () => {
    const email = team.apiMembers().find((m) => !m.isRemoved)!.email;
    const ok = await post(`${server.url}/teams/user-spend-limit`, 'key_admin', {
      userEmail: email,
      spendLimitDollars: 321,
    });
    expect(ok.json()).toMatchObject({ outcome: 'success' });
    const spend = await post(`${server.url}/teams/spend`, 'key_admin', { searchTerm: email });
    expect(spend.json().teamMemberSpend[0]).toMatchObject({ email, monthlyLimitDollars: 321 });
    const unknown = await post(`${server.url}/teams/user-spend-limit`, 'key_admin', {
      userEmail: 'nobody@else.example',
      spendLimitDollars: 5,
    });
    expect(unknown.json()).toMatchObject({ outcome: 'error' });
    const invalid = await post(`${server.url}/teams/user-spend-limit`, 'key_admin', {
      userEmail: email,
      spendLimitDollars: 2.5,
    });
    expect(invalid.status).toBe(400);
  });
});
