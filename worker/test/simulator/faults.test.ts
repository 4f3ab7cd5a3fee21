import { setTimeout as sleep } from 'node:timers/promises';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';
import { get, NOW, post, utcDay } from './http';

/** Waits out the last seconds of a wall-clock minute so a burst of requests stays inside one rate-limit window. */
async function awayFromMinuteEdge(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await sleep(left + 50);
}

describe('simulated Cursor API: rate limits and faults', () => {
  const team = createSimulatedTeam({ seed: 5, teamSize: 10, now: () => NOW });
  const eventsBody = { startDate: utcDay('2026-03-16'), endDate: utcDay('2026-03-17') - 1, pageSize: 50 };
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({
      team,
      apiKey: 'k',
      rateLimitsPerMinute: { admin: 3, events: 5, analytics: 100 },
    });
  });
  afterAll(async () => server.close());
  beforeEach(() => server.resetStats());

  it('answers 429 with Retry-After once an endpoint spends its budget of the minute, per endpoint', async () => {
    await awayFromMinuteEdge();
    for (let i = 0; i < 5; i++)
      expect((await post(`${server.url}/teams/filtered-usage-events`, 'k', eventsBody)).status).toBe(200);
    const limited = await post(`${server.url}/teams/filtered-usage-events`, 'k', eventsBody);
    expect(limited.status).toBe(429);
    expect(limited.json()).toEqual({
      error: 'Too Many Requests',
      message: 'Rate limit exceeded. Please try again later.',
    });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Another endpoint has its own budget.
    expect((await get(`${server.url}/teams/members`, 'k')).status).toBe(200);
    const stats = server.stats();
    expect(stats.rateLimited).toBe(1);
    expect(stats.requestsByEndpoint['POST /teams/filtered-usage-events']).toBe(6);
    expect(stats.maxRequestsPerMinute['POST /teams/filtered-usage-events']).toBeGreaterThanOrEqual(6);
    expect(stats.totalRequests).toBe(7);
  });

  it('rateLimitStorm: the next n requests get 429, with or without Retry-After', async () => {
    server.setFaults({ rateLimitStorm: 2 });
    const first = await get(`${server.url}/analytics/team/dau`, 'k');
    const second = await get(`${server.url}/analytics/team/dau`, 'k');
    expect([first.status, second.status]).toEqual([429, 429]);
    expect(first.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await get(`${server.url}/analytics/team/dau`, 'k')).status).toBe(200);

    server.setFaults({ rateLimitStorm: 1, retryAfterHeader: false });
    const bare = await get(`${server.url}/analytics/team/dau`, 'k');
    expect(bare.status).toBe(429);
    expect(bare.headers.get('retry-after')).toBeNull();
    server.setFaults({ retryAfterHeader: true });
    expect(server.stats().rateLimited).toBe(3);
  });

  it('serverErrors: the next n requests get 500 JSON', async () => {
    server.setFaults({ serverErrors: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await get(`${server.url}/analytics/team/dau`, 'k');
      expect(res.status).toBe(500);
      expect(res.json()).toEqual({ error: 'Internal Server Error', message: 'An unexpected error occurred' });
    }
    expect((await get(`${server.url}/analytics/team/dau`, 'k')).status).toBe(200);
    expect(server.stats().serverErrors).toBe(2);
  });

  it('slowMs delays every response', async () => {
    server.setFaults({ slowMs: 300 });
    const t0 = Date.now();
    expect((await get(`${server.url}/analytics/team/dau`, 'k')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    server.setFaults({ slowMs: 0 });
  });

  it('malformedPages: the next n event pages are 200 with truncated JSON', async () => {
    const noLimits = await startSimulatorServer({
      team,
      apiKey: 'k',
      rateLimitsPerMinute: null,
      faults: { malformedPages: 1 },
    });
    try {
      const broken = await post(`${noLimits.url}/teams/filtered-usage-events`, 'k', eventsBody);
      expect(broken.status).toBe(200);
      expect(broken.headers.get('content-type')).toMatch(/application\/json/);
      expect(() => broken.json()).toThrow(SyntaxError);
      const fine = await post(`${noLimits.url}/teams/filtered-usage-events`, 'k', eventsBody);
      expect(fine.json().usageEvents).toHaveLength(50);
      expect(noLimits.stats().malformedPagesSent).toBe(1);
    } finally {
      await noLimits.close();
    }
  });

  it('oversizedPages, endlessPages, poisonEvents: hostile event pages, each taken from its budget once', async () => {
    const hostile = await startSimulatorServer({
      team,
      apiKey: 'k',
      rateLimitsPerMinute: null,
      faults: { oversizedPages: 1, oversizedBytes: 2 * 1024 * 1024, endlessPages: 2, poisonEvents: 2 },
    });
    const page = (n: number, pageSize = 50) =>
      post(`${hostile.url}/teams/filtered-usage-events`, 'k', { ...eventsBody, page: n, pageSize });
    try {
      const big = await page(1);
      expect(Number(big.headers.get('content-length'))).toBeGreaterThan(2 * 1024 * 1024);
      // Poison rides on the next pages: one extra event each, distinct, that no database can store.
      const first = (await page(1)).json();
      const second = (await page(2)).json();
      expect(first.usageEvents).toHaveLength(51);
      expect(first.usageEvents[50].userEmail).toContain('\u0000');
      expect(second.usageEvents[50].timestamp).toBe('99999999999999999999');
      const { numPages } = first.pagination;
      // Endless: the last page says there is more, and the page past the end repeats the last one.
      const last = (await page(numPages)).json();
      expect(last.pagination.hasNextPage).toBe(true);
      const past = (await page(numPages + 1)).json();
      expect(past.pagination.hasNextPage).toBe(true);
      expect(past.usageEvents).toEqual(last.usageEvents);
      expect((await page(numPages)).json().pagination.hasNextPage).toBe(false); // budget spent
      expect(hostile.stats()).toMatchObject({ oversizedPagesSent: 1, endlessPagesSent: 2, poisonEventsSent: 2 });
    } finally {
      await hostile.close();
    }
  });

  it('resetConnections: the next n requests lose their connection', async () => {
    server.setFaults({ resetConnections: 1 });
    await expect(fetch(`${server.url}/analytics/team/dau`)).rejects.toThrow();
    expect((await get(`${server.url}/analytics/team/dau`, 'k')).status).toBe(200);
    expect(server.stats().connectionsReset).toBe(1);
  });

  it('turns rate limiting off with null and scales it up for tests', async () => {
    const fast = await startSimulatorServer({
      team,
      apiKey: 'k',
      rateLimitsPerMinute: { admin: 10_000, events: 10_000, analytics: 10_000 },
    });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 40 }, () => get(`${fast.url}/teams/members`, 'k').then((r) => r.status)),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
      expect(fast.stats().maxRequestsPerMinute['GET /teams/members']).toBeGreaterThanOrEqual(20);
    } finally {
      await fast.close();
    }
  });
});
