import { CursorClient } from '../../src/cursor/client';
import { CursorApiError } from '../../src/cursor/errors';
import { scriptedServer, type Recorded, type Reply } from '../support/http';
import { documentedFixture, type DocumentedFixture } from './documented-fixtures';

/**
 * The real client fetching the documented payloads (./fixtures) from a real HTTP server on 127.0.0.1: what the
 * client makes of Cursor's own examples end to end (auth header, request bodies, paging, errors), not only of our
 * simulator's answers.
 */
const KEY = 'key_' + 'cd'.repeat(32);
const client = (url: string) =>
  new CursorClient({
    baseUrl: url,
    apiKey: KEY,
    rateLimits: { admin: 0, events: 0, analytics: 0 },
    maxRetries: 0,
    sleep: async () => {},
  });

/** Answers each request with the fixture of its endpoint; the events example is served as page n of its 5. */
function serve(fixtures: DocumentedFixture[]) {
  return scriptedServer((req: Recorded): Reply => {
    const endpoint = `${req.method} ${req.url.split('?')[0]}`;
    const f = fixtures.find((x) => x.endpoint === endpoint);
    if (!f) return { status: 404, body: { error: 'Resource not found', message: endpoint } };
    if (endpoint !== 'POST /teams/filtered-usage-events') return { status: f.status ?? 200, body: f.payload };
    const page = (JSON.parse(req.body) as { page: number }).page;
    const paging = f.payload.pagination as { numPages: number };
    return {
      body: {
        ...f.payload,
        pagination: { ...paging, currentPage: page, hasNextPage: page < paging.numPages, hasPreviousPage: page > 1 },
      },
    };
  });
}

describe("the Cursor client against Cursor's documented examples, served over HTTP", () => {
  const documented = [
    'members.json',
    'daily-usage-data.json',
    'spend.json',
    'filtered-usage-events.json',
    'user-spend-limit.json',
  ].map(documentedFixture);

  it('reads every documented answer, pages the events example to its last page, and reports no drift', async () => {
    const srv = await serve(documented);
    try {
      const c = client(srv.url);
      expect((await c.members()).map((m) => m.id)).toEqual(['user_PDSPmvukpYgZEDXsoNirw3CFhy']);

      const day = Date.UTC(2026, 2, 10);
      const rows = [];
      for await (const page of c.dailyUsage(day, day + 86_400_000 - 1)) rows.push(...page.rows);
      expect(rows.map((r) => [r.email, r.day, r.agentRequests])).toEqual([['a@co.com', '2026-03-10', 14]]);

      const spend = await c.spend();
      expect(spend).toMatchObject({ cycleStart: 1708992000000, pages: 1 });
      expect(spend.rows.map((r) => r.spendCents)).toEqual([2450.125487]);

      const pages = [];
      for await (const p of c.usageEventPages(Date.UTC(2025, 5, 26), Date.UTC(2025, 5, 27) - 1)) pages.push(p);
      expect(pages.map((p) => [p.page, p.last, p.events.length, p.refused.length])).toEqual([
        [1, false, 1, 0],
        [2, false, 1, 0],
        [3, false, 1, 0],
        [4, false, 1, 0],
        [5, true, 1, 0],
      ]);
      expect(pages[0].events[0]).toMatchObject({ timestamp: 1750979225854, chargedCents: 21.36232 });

      expect(await c.setUserSpendLimit('a@co.com', 300)).toEqual({
        outcome: 'success',
        message: 'Spend limit updated',
      });

      expect(c.drift.drain()).toEqual([]);
      expect(srv.requests.map((r) => r.headers.authorization)).toEqual(
        srv.requests.map(() => `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`),
      );
      expect(JSON.parse(srv.requests.at(-1)!.body)).toEqual({ userEmail: 'a@co.com', spendLimitDollars: 300 });
    } finally {
      await srv.close();
    }
  });

  it('turns the documented error bodies into errors that carry the status and Cursor’s message', async () => {
    const srv = await serve([
      documentedFixture('error-invalid-key.json'),
      documentedFixture('error-rate-limited.json'),
    ]);
    try {
      const c = client(srv.url);
      const unauthorized = await c.members().catch((e: unknown) => e);
      expect(unauthorized).toBeInstanceOf(CursorApiError);
      expect(unauthorized).toMatchObject({ status: 401, endpoint: 'GET /teams/members' });
      expect((unauthorized as Error).message).toContain('Invalid API key');

      const limited = await c.spend().catch((e: unknown) => e);
      expect((limited as Error).message).toContain('answered 429');
      expect((limited as Error).message).toContain('Rate limit exceeded. Please try again later.');
    } finally {
      await srv.close();
    }
  });
});
