import { usageEventsResponseSchema, type ApiUsageEvent } from '../../src/cursor/schemas';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';
import { DAY, NOW, post, utcDay } from './http';

const eventKey = (e: ApiUsageEvent) => `${e.userEmail}|${e.timestamp}`;

describe('simulated Cursor API: POST /teams/filtered-usage-events', () => {
  let clock = NOW;
  const team = createSimulatedTeam({ seed: 11, teamSize: 40, now: () => clock });
  let server: SimulatorServer;
  beforeAll(async () => {
    server = await startSimulatorServer({ team, apiKey: 'k', rateLimitsPerMinute: null });
  });
  afterAll(async () => server.close());
  afterEach(() => {
    clock = NOW;
  });

  async function allPages(body: Record<string, unknown>, pageSize: number) {
    const events: ApiUsageEvent[] = [];
    let total = -1;
    for (let page = 1; ; page++) {
      const res = await post(`${server.url}/teams/filtered-usage-events`, 'k', { ...body, page, pageSize });
      expect(res.status).toBe(200);
      const parsed = usageEventsResponseSchema.parse(res.json());
      total = parsed.totalUsageEventsCount;
      expect(parsed.pagination).toMatchObject({ currentPage: page, pageSize, numPages: Math.ceil(total / pageSize) });
      events.push(...(res.json().usageEvents as ApiUsageEvent[]));
      if (!parsed.pagination.hasNextPage) break;
    }
    return { events, total };
  }

  it('pages to the end and returns every event of the window exactly once, newest first', async () => {
    const start = utcDay('2026-03-16');
    const end = utcDay('2026-03-17') + 12 * 3_600_000;
    const { events, total } = await allPages({ startDate: start, endDate: end }, 250);
    const expected = team.eventsBetween(start, end);
    expect(total).toBe(expected.length);
    expect(events.length).toBe(total);
    expect(new Set(events.map(eventKey)).size).toBe(total);
    expect(events.map(eventKey)).toEqual(expected.map(eventKey));
    for (let i = 1; i < events.length; i++)
      expect(Number(events[i - 1].timestamp)).toBeGreaterThanOrEqual(Number(events[i].timestamp));
    expect(total).toBeGreaterThan(500);
  });

  it('treats both bounds as inclusive', async () => {
    const day = team.eventsForDay('2026-03-16');
    const a = Number(day[10].timestamp);
    const b = Number(day[3].timestamp);
    const res = await post(`${server.url}/teams/filtered-usage-events`, 'k', {
      startDate: a,
      endDate: b,
      pageSize: 1000,
    });
    const got = (res.json().usageEvents as ApiUsageEvent[]).map((e) => Number(e.timestamp));
    expect(got).toContain(a);
    expect(got).toContain(b);
    expect(got.every((t) => t >= a && t <= b)).toBe(true);
    const single = await post(`${server.url}/teams/filtered-usage-events`, 'k', { startDate: a, endDate: a });
    expect(single.json().usageEvents.map((e: ApiUsageEvent) => Number(e.timestamp))).toEqual(
      day.filter((e) => Number(e.timestamp) === a).map(() => a),
    );
  });

  it('sends timestamp as a string, tokenUsage exactly on token-based calls, fractional cents', async () => {
    const res = await post(`${server.url}/teams/filtered-usage-events`, 'k', {
      startDate: utcDay('2026-03-16'),
      endDate: utcDay('2026-03-17') - 1,
      pageSize: 1000,
    });
    const events = res.json().usageEvents as ApiUsageEvent[];
    expect(events.length).toBe(1000);
    let fractional = 0;
    for (const e of events) {
      expect(typeof e.timestamp).toBe('string');
      expect(e.timestamp).toMatch(/^\d+$/);
      expect('tokenUsage' in e).toBe(e.isTokenBasedCall === true);
      if (e.tokenUsage) expect(e.chargedCents).toBeCloseTo(e.tokenUsage.totalCents + (e.cursorTokenFee ?? 0), 4);
      if (!Number.isInteger(e.chargedCents)) fractional++;
      expect(e.conversationId).toBeTruthy();
    }
    expect(fractional).toBeGreaterThan(900);
    expect(events.some((e) => !e.isTokenBasedCall)).toBe(true);
  });

  it('filters by email and by userId', async () => {
    const member = team.members().find((m) => !m.isRemoved)!;
    const start = utcDay('2026-03-02');
    const end = utcDay('2026-03-17') - 1;
    const byEmail = await allPages({ startDate: start, endDate: end, email: member.email }, 1000);
    expect(byEmail.events.length).toBeGreaterThan(0);
    expect(byEmail.events.every((e) => e.userEmail === member.email)).toBe(true);
    expect(byEmail.events.map(eventKey)).toEqual(team.eventsBetween(start, end, { email: member.email }).map(eventKey));
    const byId = await allPages({ startDate: start, endDate: end, userId: member.id }, 1000);
    expect(byId.events.map(eventKey)).toEqual(byEmail.events.map(eventKey));
    const nobody = await post(`${server.url}/teams/filtered-usage-events`, 'k', {
      startDate: start,
      endDate: end,
      email: 'nobody@x.example',
    });
    expect(nobody.json().totalUsageEventsCount).toBe(0);
  });

  it('defaults to page 1 of 100 and returns an empty page past the end', async () => {
    const body = { startDate: utcDay('2026-03-16'), endDate: utcDay('2026-03-17') - 1 };
    const first = (await post(`${server.url}/teams/filtered-usage-events`, 'k', body)).json();
    expect(first.pagination).toMatchObject({
      currentPage: 1,
      pageSize: 100,
      hasPreviousPage: false,
      hasNextPage: true,
    });
    expect(first.usageEvents).toHaveLength(100);
    const past = (
      await post(`${server.url}/teams/filtered-usage-events`, 'k', { ...body, page: first.pagination.numPages + 1 })
    ).json();
    expect(past.usageEvents).toEqual([]);
    expect(past.pagination.hasNextPage).toBe(false);
  });

  it('shows today only up to now, and new events as the clock advances', async () => {
    const body = { startDate: utcDay('2026-03-18'), endDate: utcDay('2026-03-19') - 1, pageSize: 1 };
    const before = (await post(`${server.url}/teams/filtered-usage-events`, 'k', body)).json();
    expect(Number(before.usageEvents[0].timestamp)).toBeLessThanOrEqual(NOW);
    clock = NOW + 2 * 3_600_000;
    const after = (await post(`${server.url}/teams/filtered-usage-events`, 'k', body)).json();
    expect(after.totalUsageEventsCount).toBeGreaterThan(before.totalUsageEventsCount);
    expect(Number(after.usageEvents[0].timestamp)).toBeGreaterThan(NOW);
    // Nothing from the future, and earlier days do not change.
    const future = (
      await post(`${server.url}/teams/filtered-usage-events`, 'k', { startDate: clock + 1, endDate: clock + DAY })
    ).json();
    expect(future.totalUsageEventsCount).toBe(0);
  });
});
