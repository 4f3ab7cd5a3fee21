import { CursorClient, parseRetryAfter, splitRange } from '../../src/cursor/client';
import { CursorApiError, CursorValidationError } from '../../src/cursor/errors';
import { scriptedServer, type Reply } from '../support/http';

const KEY = 'key_' + 'ab'.repeat(32);
const event = (ts: number, extra: Record<string, unknown> = {}) => ({
  timestamp: String(ts),
  userEmail: 'dev@co.com',
  model: 'claude-4.5-sonnet',
  kind: 'Usage-based',
  maxMode: false,
  requestsCosts: 1.5,
  isTokenBasedCall: false,
  isChargeable: true,
  isHeadless: false,
  chargedCents: 4.25,
  ...extra,
});

function client(url: string, over: Partial<ConstructorParameters<typeof CursorClient>[0]> = {}) {
  const sleeps: number[] = [];
  let clock = 1_000_000; // a virtual clock: sleeping advances it, so no test waits for real
  const c = new CursorClient({
    baseUrl: url,
    apiKey: KEY,
    rateLimits: { admin: 0, events: 0, analytics: 0 },
    maxRetries: 3,
    backoffBaseMs: 5,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    ...over,
  });
  return { c, sleeps };
}

describe('CursorClient', () => {
  it('sends HTTP Basic auth with the key as user name and an empty password', async () => {
    const srv = await scriptedServer(() => ({
      body: { teamMembers: [{ id: 17, email: 'a@co.com', role: 'member' }] },
    }));
    try {
      const members = await client(srv.url).c.members();
      expect(srv.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`${KEY}:`).toString('base64')}`);
      // A numeric id (older API versions) becomes a string; isRemoved defaults to false.
      expect(members).toEqual([{ id: '17', email: 'a@co.com', role: 'member', isRemoved: false }]);
    } finally {
      await srv.close();
    }
  });

  it('pages usage events to the end with inclusive bounds and the page size asked for', async () => {
    const pages = [[event(1003), event(1002)], [event(1001)]];
    const srv = await scriptedServer((req) => {
      const body = JSON.parse(req.body);
      const page = body.page as number;
      return {
        body: {
          totalUsageEventsCount: 3,
          pagination: { numPages: 2, currentPage: page, pageSize: 2, hasNextPage: page < 2, hasPreviousPage: page > 1 },
          usageEvents: pages[page - 1],
          period: { startDate: body.startDate, endDate: body.endDate },
        },
      };
    });
    try {
      const got = [];
      for await (const p of client(srv.url).c.usageEventPages(1000, 2000, { pageSize: 2 })) got.push(p);
      expect(got.map((p) => p.events.length)).toEqual([2, 1]);
      expect(got.map((p) => p.last)).toEqual([false, true]);
      expect(got[0].events[0].timestamp).toBe(1003); // string timestamps become numbers
      expect(srv.requests.map((r) => JSON.parse(r.body))).toEqual([
        { startDate: 1000, endDate: 2000, page: 1, pageSize: 2 },
        { startDate: 1000, endDate: 2000, page: 2, pageSize: 2 },
      ]);
    } finally {
      await srv.close();
    }
  });

  it('honours Retry-After on 429', async () => {
    const replies: Reply[] = [
      { status: 429, headers: { 'retry-after': '7' }, body: { error: 'Too Many Requests' } },
      { body: { teamMembers: [] } },
    ];
    const srv = await scriptedServer((_r, n) => replies[n - 1]);
    try {
      const { c, sleeps } = client(srv.url);
      await c.members();
      expect(sleeps).toContain(7000);
      expect(c.stats).toMatchObject({ requests: 2, rateLimited: 1, retries: 1 });
    } finally {
      await srv.close();
    }
  });

  it('backs off exponentially on 429 without Retry-After, then gives up with the status in the error', async () => {
    const srv = await scriptedServer(() => ({
      status: 429,
      body: { error: 'Too Many Requests', message: 'Rate limit exceeded' },
    }));
    try {
      const { c, sleeps } = client(srv.url, { backoffBaseMs: 100 });
      await expect(c.members()).rejects.toThrow(/GET \/teams\/members failed after 4 attempts.*429/);
      expect(sleeps).toHaveLength(3);
      // 100·2^n scaled by a jitter in [0.5, 1): each delay falls in its own doubling band.
      sleeps.forEach((ms, n) => {
        expect(ms).toBeGreaterThanOrEqual(50 * 2 ** n);
        expect(ms).toBeLessThan(100 * 2 ** n);
      });
      expect(srv.requests).toHaveLength(4);
    } finally {
      await srv.close();
    }
  });

  it('retries 5xx, connection resets and malformed JSON, a bounded number of times', async () => {
    const replies: Reply[] = [
      { status: 500, body: { error: 'Internal Server Error', message: 'An unexpected error occurred' } },
      { destroy: true },
      { raw: '{"teamMembers": [' },
      { body: { teamMembers: [{ id: 'user_x', email: 'x@co.com', role: 'owner' }] } },
    ];
    const srv = await scriptedServer((_r, n) => replies[n - 1]);
    try {
      const { c } = client(srv.url);
      expect(await c.members()).toHaveLength(1);
      expect(srv.requests).toHaveLength(4);
    } finally {
      await srv.close();
    }
  });

  it('does not retry a 401 and says which endpoint answered what', async () => {
    const srv = await scriptedServer(() => ({
      status: 401,
      body: { error: 'Unauthorized', message: 'Invalid API key' },
    }));
    try {
      const err = await client(srv.url)
        .c.members()
        .catch((e) => e);
      expect(err).toBeInstanceOf(CursorApiError);
      expect(err.message).toMatch(/GET \/teams\/members answered 401.*Invalid API key/);
      expect(srv.requests).toHaveLength(1);
    } finally {
      await srv.close();
    }
  });

  it('names the endpoint, the field and the value of a response that breaks the documented shape', async () => {
    const srv = await scriptedServer(() => ({
      body: {
        totalUsageEventsCount: 1,
        // hasNextPage drives paging, so it is read strictly (numPages is only a bound, read leniently).
        pagination: { numPages: 1, currentPage: 1, pageSize: 10, hasNextPage: 'lots', hasPreviousPage: false },
        usageEvents: [event(5, { extraFieldFromTheFuture: true })],
      },
    }));
    try {
      const pages = client(srv.url).c.usageEventPages(0, 10);
      const err = await pages.next().catch((e) => e);
      expect(err).toBeInstanceOf(CursorValidationError);
      expect(err.message).toContain('POST /teams/filtered-usage-events');
      expect(err.message).toContain('pagination.hasNextPage');
      expect(err.message).toContain('"lots"');
    } finally {
      await srv.close();
    }
  });

  it('refuses one event that breaks the documented shape, naming the field, and keeps the page', async () => {
    const srv = await scriptedServer(() => ({
      body: {
        totalUsageEventsCount: 2,
        pagination: { numPages: 1, currentPage: 1, pageSize: 10, hasNextPage: false, hasPreviousPage: false },
        usageEvents: [event(5, { chargedCents: 'lots' }), event(6)],
      },
    }));
    try {
      const { value } = await client(srv.url).c.usageEventPages(0, 10).next();
      expect(value!.events.map((e: { timestamp: number }) => e.timestamp)).toEqual([6]);
      expect(value!.refused).toEqual([
        { raw: event(5, { chargedCents: 'lots' }), reason: expect.stringContaining('event.chargedCents') },
      ]);
    } finally {
      await srv.close();
    }
  });

  it('accepts unknown extra fields and fractional cents', async () => {
    const srv = await scriptedServer(() => ({
      body: {
        teamMemberSpend: [
          { userId: 'user_1', email: 'a@co.com', spendCents: 2450.125487, overallSpendCents: 2450.125487, newThing: 1 },
        ],
        subscriptionCycleStart: 1708992000000,
        totalMembers: 1,
        totalPages: 1,
      },
    }));
    try {
      const spend = await client(srv.url).c.spend();
      expect(spend.rows[0].spendCents).toBeCloseTo(2450.125487, 6);
      expect(spend.cycleStart).toBe(1708992000000);
    } finally {
      await srv.close();
    }
  });

  it('cuts daily usage into windows of at most 30 days', async () => {
    const srv = await scriptedServer((req) => {
      const b = JSON.parse(req.body);
      return {
        body: {
          data: [],
          period: { startDate: b.startDate, endDate: b.endDate },
          pagination: {
            page: 1,
            pageSize: 500,
            totalUsers: 0,
            totalPages: 1,
            hasNextPage: false,
            hasPreviousPage: false,
          },
        },
      };
    });
    try {
      const day = 86_400_000;
      for await (const _ of client(srv.url).c.dailyUsage(0, 65 * day - 1)) void _;
      const windows = srv.requests.map((r) => JSON.parse(r.body)).map((b) => [b.startDate, b.endDate]);
      expect(windows).toEqual([
        [0, 30 * day - 1],
        [30 * day, 60 * day - 1],
        [60 * day, 65 * day - 1],
      ]);
    } finally {
      await srv.close();
    }
  });

  it('paces each endpoint to its per-minute limit', async () => {
    const srv = await scriptedServer(() => ({ body: { teamMembers: [] } }));
    try {
      let clock = 0;
      const sleeps: number[] = [];
      const c = new CursorClient({
        baseUrl: srv.url,
        apiKey: KEY,
        rateLimits: { admin: 3, events: 3, analytics: 3 },
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
      });
      // On a virtual clock: four calls at a limit of three wait one minute for the fourth.
      for (let i = 0; i < 4; i++) await c.members();
      expect(sleeps.length).toBe(1);
      expect(sleeps[0]).toBeGreaterThanOrEqual(60_000);
    } finally {
      await srv.close();
    }
  });
});

describe('helpers', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfter(inTen)).toBeGreaterThan(8000);
  });

  it('splits a range into inclusive windows', () => {
    expect(splitRange(0, 9, 5)).toEqual([
      [0, 4],
      [5, 9],
    ]);
    expect(splitRange(0, 0, 5)).toEqual([[0, 0]]);
  });
});
