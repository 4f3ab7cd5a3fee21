import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { collectOnce } from '../../src/collector/collect';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, silentLog, startTestSimulator, testClient, truthTotals, TEST_NOW } from '../support/sim';

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * A real HTTP proxy in front of the simulator that rewrites usage-event pages the way a hostile or broken API
 * would: `rewrite` gets the request body and the simulator's page and returns the page to send.
 */
async function hostileProxy(
  target: string,
  rewrite: (req: Record<string, unknown>, page: Record<string, unknown>) => unknown,
) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    const forward = async () => {
      const upstream = await fetch(new URL(req.url ?? '/', target), {
        method: req.method,
        headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
        body: req.method === 'GET' ? undefined : body,
      });
      let text = await upstream.text();
      if (req.url?.startsWith('/teams/filtered-usage-events') && upstream.ok)
        text = JSON.stringify(rewrite(JSON.parse(body), JSON.parse(text)));
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(text);
    };
    // A failing proxy answers 500 with its error, so the test fails on it instead of hanging.
    req.on('end', () => {
      forward().catch((error: unknown) => res.writeHead(500).end(`proxy failed: ${String(error)}`));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

const POISON = [
  { timestamp: '', userEmail: 'nul\u0000@co.com', model: 'm', kind: 'Usage-based', chargedCents: 1 },
  { timestamp: '99999999999999999999', userEmail: 'far@co.com', model: 'm', kind: 'Usage-based', chargedCents: 1 },
  { timestamp: String(Date.parse('2099-01-01T00:00:00Z')), userEmail: 'late@co.com', model: 'm', kind: 'Usage-based' },
];

describe('poison events from the API', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  beforeAll(async () => {
    t = await createTestDb('quar');
    sim = await startTestSimulator({ teamSize: 10, seed: 23, nowMs: TEST_NOW });
  });
  afterAll(async () => {
    await sim.server.close();
    await dropTestDb(t);
  });

  it('are quarantined with their reason and never block the events behind them', async () => {
    // Every first page gets the poison in front of its real events (the NUL one dated inside the window).
    const proxy = await hostileProxy(sim.server.url, (req, page) => {
      if (req.page !== 1) return page;
      const nul = { ...POISON[0], timestamp: String(req.startDate) };
      return { ...page, usageEvents: [nul, POISON[1], POISON[2], ...(page.usageEvents as unknown[])] };
    });
    const deps = {
      db: t.db,
      client: testClient(proxy.url),
      log: silentLog,
      config: { BACKFILL_DAYS: 2, RESTATE_DAYS: 1 },
    };
    try {
      const first = await collectOnce(deps, { trigger: 'test', now: new Date(sim.nowMs) });
      expect(first.errors).toEqual([]);
      const days = 3; // the pass reads one UTC day at a time: two full days and today so far
      expect(first.events.refused).toBe(3 * days);

      const truth = truthTotals(sim.team, startOfDay(sim.nowMs) - 2 * DAY_MS, sim.nowMs);
      const stored = await sql<{ n: number; cents: number }>`
        SELECT count(*)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM usage_events`.execute(t.db);
      expect(stored.rows[0].n).toBe(truth.events);
      expect(stored.rows[0].cents).toBeCloseTo(truth.chargedCents, 2);

      const q = await t.db
        .selectFrom('quarantined_events')
        .select(['endpoint', 'reason', 'raw', 'times_seen'])
        .orderBy('id')
        .execute();
      // The two identical poison events are one row each, seen once per day's first page; the NUL one differs per day.
      expect(q.filter((r) => r.reason.includes('U+0000'))).toHaveLength(days);
      const far = q.find((r) => r.raw.includes('99999999999999999999'))!;
      expect(far).toMatchObject({ endpoint: 'usage_events', times_seen: days });
      expect(far.reason).toMatch(/outside the requested window/);
      expect(q.find((r) => r.raw.includes('late@co.com'))!.reason).toMatch(
        /^timestamp 2099-01-01T00:00:00.000Z is outside/,
      );
      expect(JSON.parse(q.find((r) => r.reason.includes('U+0000'))!.raw).userEmail).toBe('nul\u0000@co.com'); // raw, lossless

      // No partition outside the window, and the refusals are on the run for the Collection health dashboard.
      const parts = await sql<{ name: string }>`
        SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'usage_events'::regclass`.execute(t.db);
      expect(parts.rows.filter((p) => /20(9\d|[3-8]\d)/.test(p.name))).toEqual([]);
      const run = await t.db
        .selectFrom('collection_runs')
        .select(['rows_refused', 'status'])
        .where('endpoint', '=', 'usage_events')
        .executeTakeFirstOrThrow();
      expect(run).toEqual({ rows_refused: 3 * days, status: 'ok' });
      const wm = await t.db
        .selectFrom('collection_watermarks')
        .select('watermark')
        .where('endpoint', '=', 'usage_events')
        .executeTakeFirstOrThrow();
      expect(wm.watermark.getTime()).toBe(sim.nowMs); // the poison did not hold the watermark back

      // The next pass re-reads the overlap: nothing new, nothing lost, the same poison counted, not duplicated.
      const second = await collectOnce(deps, { trigger: 'test', now: new Date(sim.nowMs) });
      expect(second.errors).toEqual([]);
      expect(second.events.inserted).toBe(0);
      const again = await t.db
        .selectFrom('quarantined_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(again.n)).toBe(q.length + 1); // only the NUL event re-dated to the overlap window's start is new
    } finally {
      await proxy.close();
    }
  });
});
