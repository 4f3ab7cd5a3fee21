import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { collectOnce } from '../../src/collector/collect';
import { readAhead } from '../../src/collector/read-ahead';
import { waitFor } from '../support/child';
import { DAY_MS, silentLog, startTestSimulator, testClient, truthTotals } from '../support/sim';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('readAhead', () => {
  /** A source of `n` items that logs when each read starts and ends, and when it is closed. */
  function source(n: number, log: string[], fail?: number) {
    return (async function* () {
      try {
        for (let i = 1; i <= n; i++) {
          log.push(`read ${i}`);
          await tick();
          if (i === fail) throw new Error(`item ${i} could not be read`);
          yield i;
        }
      } finally {
        log.push('closed');
      }
    })();
  }

  it('reads the next item while the consumer works on the current one, in order', async () => {
    const log: string[] = [];
    for await (const item of readAhead(source(3, log))) {
      log.push(`work ${item} starts`);
      await tick();
      await tick();
      log.push(`work ${item} ends`);
    }
    expect(log).toEqual([
      'read 1',
      'read 2', // asked for as item 1 is handed out
      'work 1 starts',
      'work 1 ends',
      'read 3',
      'work 2 starts',
      'work 2 ends',
      'closed',
      'work 3 starts',
      'work 3 ends',
    ]);
  });

  it('throws a failed read where the consumer asks for that item, after the one it holds', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(source(3, log, 2))) {
          await tick();
          await tick(); // the read of item 2 has failed by now
          seen.push(item);
        }
      })(),
    ).rejects.toThrow('item 2 could not be read');
    expect(seen).toEqual([1]);
  });

  it('closes the source once the item read ahead is in when the consumer breaks off', async () => {
    const log: string[] = [];
    for await (const item of readAhead(source(3, log))) {
      log.push(`work ${item}`);
      break; // item 2 is being read
    }
    await waitFor('the source to be closed', async () => log.includes('closed'), 5_000, 5);
    expect(log).toEqual(['read 1', 'read 2', 'work 1', 'closed']); // item 3 never read
  });

  it('drops the item read ahead when the consumer stops early: its failure is not unhandled, the source is closed', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const log: string[] = [];
      await expect(
        (async () => {
          for await (const item of readAhead(source(3, log, 2))) throw new Error(`consumer failed on ${item}`);
        })(),
      ).rejects.toThrow('consumer failed on 1');
      await waitFor('the source to be closed', async () => log.includes('closed'), 5_000, 5);
      for (let i = 0; i < 5; i++) await tick();
      expect(unhandled).toEqual([]);
      expect(log).toEqual(['read 1', 'read 2', 'closed']);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

// The collector asks Cursor for a day's next page of events while it stores the current one (storeEventPages). Here a
// proxy in front of the simulated Cursor cuts pages to 100 events, so a day has several.
describe('the collector reading events a page ahead', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  let proxy: http.Server;
  let proxyUrl: string;
  /** The events requests the proxy saw: the page asked for, and whether its connection has closed. */
  let pageRequests: { page: number; closed: boolean; answered: boolean }[] = [];
  /** Pages the proxy never answers (it waits for the client to give up). */
  let hang = new Set<number>();

  beforeAll(async () => {
    // A pinned clock: Friday 2026-11-20 15:00 UTC, two whole weekdays behind it (a weekend's days hold few events).
    sim = await startTestSimulator({ teamSize: 20, seed: 5, nowMs: Date.UTC(2026, 10, 20, 15) });
    proxy = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const events = req.url === '/teams/filtered-usage-events';
        const json = events ? { ...JSON.parse(body), pageSize: 100 } : null;
        const seen = { page: json?.page ?? 0, closed: false, answered: false };
        if (events) {
          pageRequests.push(seen);
          res.once('close', () => (seen.closed = true)); // answered, or the client gave up
          if (hang.has(seen.page)) return;
        }
        void fetch(`${sim.server.url}${req.url}`, {
          method: req.method,
          headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
          body: req.method === 'GET' ? undefined : json ? JSON.stringify(json) : body,
        }).then(
          async (r) => {
            seen.answered = true;
            res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
          },
          (err: unknown) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${String(err)}`),
        );
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await sim.server.close();
  });
  beforeEach(async () => {
    t = await createTestDb('read_ahead');
    pageRequests = [];
    hang = new Set();
  });
  afterEach(async () => dropTestDb(t));

  const config = { BACKFILL_DAYS: 2, RESTATE_DAYS: 1 };

  it('stores every page exactly once with the day read a page ahead', async () => {
    const now = new Date(sim.nowMs);
    const s = await collectOnce(
      { db: t.db, client: testClient(proxyUrl), log: silentLog, config },
      { trigger: 'test', now },
    );
    expect(s.errors).toEqual([]);
    const truth = truthTotals(sim.team, Math.floor(sim.nowMs / DAY_MS) * DAY_MS - 2 * DAY_MS, sim.nowMs);
    expect(pageRequests.filter((r) => r.page > 1).length).toBeGreaterThan(3); // days of several pages
    expect(s.events).toMatchObject({ fetched: truth.events, inserted: truth.events, duplicates: 0 });
    const stored = await sql<{ n: number; rolled: number }>`
      SELECT (SELECT count(*) FROM usage_events)::int AS n, (SELECT sum(events) FROM user_daily_rollup)::int AS rolled`.execute(
      t.db,
    );
    expect(stored.rows[0]).toEqual({ n: truth.events, rolled: truth.events });
  });

  it('drops the request it read ahead when storing the current page fails, instead of waiting on Cursor', async () => {
    // Storing any event fails (a trigger of this test's database), and page 2 is never answered: the collector must
    // have asked for page 2 while storing page 1 (read ahead), then abort that request as the day stops. The client
    // would wait 120 s for it otherwise.
    await sql`
      CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test'; END $$`.execute(t.db);
    await sql`CREATE TRIGGER refuse BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION refuse_event()`.execute(
      t.db,
    );
    hang = new Set([2]);
    const started = Date.now();
    const s = await collectOnce(
      { db: t.db, client: testClient(proxyUrl, { timeoutMs: 120_000, maxRetries: 0 }), log: silentLog, config },
      { trigger: 'test', now: new Date(sim.nowMs) },
    );
    expect(JSON.stringify(s.errors)).toMatch(/refused by the test/);
    const second = pageRequests.find((r) => r.page === 2);
    expect(second).toBeDefined(); // read ahead while page 1 was being stored
    expect(second!.answered).toBe(false);
    await waitFor('the request read ahead to be dropped', async () => second!.closed, 10_000);
    expect(Date.now() - started).toBeLessThan(60_000);
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(t.db);
    expect(stored.rows[0].n).toBe(0);
  }, 90_000);
});
