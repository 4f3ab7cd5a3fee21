import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CursorClient } from '../../src/cursor/client';
import { CursorPagingError, CursorResponseTooLargeError } from '../../src/cursor/errors';
import { scriptedServer } from '../support/http';

const KEY = 'key_' + 'ab'.repeat(32);
const START = Date.parse('2026-11-01T00:00:00Z');
const END = Date.parse('2026-11-01T23:59:59.999Z');
const event = (ts: number | string, extra: Record<string, unknown> = {}) => ({
  timestamp: String(ts),
  userEmail: 'dev@co.com',
  model: 'claude-4.5-sonnet',
  kind: 'Usage-based',
  chargedCents: 4.25,
  ...extra,
});
const page = (events: unknown[], p: number, numPages: number, hasNextPage = p < numPages) => ({
  totalUsageEventsCount: events.length * numPages,
  pagination: { numPages, currentPage: p, pageSize: 1000, hasNextPage, hasPreviousPage: p > 1 },
  usageEvents: events,
});

function client(url: string, over: Partial<ConstructorParameters<typeof CursorClient>[0]> = {}) {
  return new CursorClient({
    baseUrl: url,
    apiKey: KEY,
    rateLimits: { admin: 0, events: 0, analytics: 0 },
    maxRetries: 3,
    backoffBaseMs: 1,
    ...over,
  });
}

async function drain(c: CursorClient) {
  const pages = [];
  for await (const p of c.usageEventPages(START, END)) pages.push(p);
  return pages;
}

describe('hostile or broken Cursor API pages', () => {
  it('refuses a response larger than the cap by its Content-Length, once, with an error naming the variable', async () => {
    const big = page([event(START + 1, { model: 'x'.repeat(2 * 1024 * 1024) })], 1, 1);
    const srv = await scriptedServer(() => ({ body: big }));
    try {
      const err = await drain(client(srv.url, { maxResponseBytes: 1024 * 1024 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CursorResponseTooLargeError);
      expect(String(err)).toMatch(/larger than CURSOR_MAX_RESPONSE_BYTES \(1048576 bytes/);
      expect(srv.requests).toHaveLength(1); // not retried: the same request would get the same answer
    } finally {
      await srv.close();
    }
  });

  it('refuses a chunked response without Content-Length as soon as it passes the cap', async () => {
    let written = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no length announced
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const pump = () => {
        // An endless body: stops only when the client hangs up.
        while (!res.destroyed && written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
        if (!res.destroyed && written < 64 * 1024 * 1024) res.once('drain', pump);
      };
      res.write('{"usageEvents":[');
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const err = await drain(client(url, { maxResponseBytes: 2 * 1024 * 1024 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CursorResponseTooLargeError);
      expect(written).toBeLessThan(32 * 1024 * 1024); // the client hung up long before the end
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('stops a hasNextPage that never turns false at the page count the API announced', async () => {
    const srv = await scriptedServer((req) => {
      const p = JSON.parse(req.body).page as number;
      return { body: page([event(START + p)], p, 3, true) };
    });
    try {
      const pages: number[] = [];
      const err = await (async () => {
        for await (const pg of client(srv.url).usageEventPages(START, END)) pages.push(pg.page);
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CursorPagingError);
      expect(String(err)).toMatch(/hasNextPage is still true on page 3 of the 3 the API announced/);
      expect(srv.requests).toHaveLength(3);
      expect(pages).toEqual([1, 2]); // the third page is not handed on as if more were coming
    } finally {
      await srv.close();
    }
  });

  it('stops at the hard limit per window even when the announced page count is huge', async () => {
    const srv = await scriptedServer((req) => {
      const p = JSON.parse(req.body).page as number;
      return { body: page([event(START + p)], p, 1_000_000, true) };
    });
    try {
      const err = await drain(client(srv.url, { maxPagesPerWindow: 5 })).catch((e: unknown) => e);
      expect(String(err)).toMatch(/more than 5 pages for one window/);
      expect(srv.requests).toHaveLength(5);
    } finally {
      await srv.close();
    }
  });

  it('refuses poison events one by one, with the reason, and hands on the events beside them', async () => {
    const good = [event(START + 10), event(START + 20, { userEmail: 'b@co.com' })];
    const poison = [
      event(START + 30, { userEmail: 'a\u0000b@co.com' }),
      event('99999999999999999999'),
      event(Date.parse('2099-06-01T00:00:00Z')),
      { timestamp: 'yesterday', userEmail: 'c@co.com' },
    ];
    const srv = await scriptedServer(() => ({ body: page([good[0], ...poison, good[1]], 1, 1) }));
    try {
      const [p] = await drain(client(srv.url));
      expect(p.events.map((e) => e.userEmail)).toEqual(['dev@co.com', 'b@co.com']);
      expect(p.refused.map((r) => r.reason)).toEqual([
        'event.userEmail must not contain U+0000 (NUL), which PostgreSQL cannot store',
        expect.stringMatching(
          /^timestamp 100000000000000000000 is outside the requested window 2026-11-01T00:00:00.000Z/,
        ),
        expect.stringMatching(/^timestamp 2099-06-01T00:00:00.000Z is outside the requested window/),
        expect.stringMatching(/^does not match the usage event schema: event.timestamp/),
      ]);
      expect(p.refused[0].raw).toEqual(poison[0]);
    } finally {
      await srv.close();
    }
  });
});
