import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout } from 'node:timers/promises';
import { addDays } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { storeDetectionInput } from '../../bench/evaluation/store-input';
import { loadConfig } from '../../src/config/config';
import { DetectionSeriesCache } from '../../src/db/repositories/detection-series-cache';
import { seriesWindow } from '../../src/db/repositories/detection-series-set';
import { historyDays } from '../../src/detection';
import { runDetectionPass, warmSeriesCache } from '../../src/jobs/detection-pass';
import { collectQueue, detectQueue, registerCollectWorker, registerDetectWorker } from '../../src/jobs/queues';
import { startSeriesWarmUp, type SeriesWarmUp } from '../../src/jobs/series-warm-up';
import { startBoss } from '../../src/queue/boss';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { waitFor } from '../support/child';
import { keptLog } from '../support/kept-log';
import { silentLog, testClient } from '../support/sim';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { emailOf, headlessAgentTeam } from '../detection/fixtures';

// The worker fills its series cache at start (warmSeriesCache): its first detection pass, after the next collection,
// then re-reads only the days that collection changed, as an hourly pass does, instead of the whole history (issue
// #13: the first pass after a start was the one not reliably under target). A collection that comes while it fills
// waits for it, so their memory never adds up.

const asOf = '2026-11-18';
const yesterday = addDays(asOf, -1);
const H = historyDays(DEFAULT_SETTINGS);
const now = new Date(`${asOf}T20:00:00Z`);
const { all, before: upTo, from } = headlessAgentTeam(asOf, H + 5);

/** What the start-up collection does, as far as detection can tell: yesterday's and today's rows, and its run. */
async function startUpCollection(t: TestDb): Promise<void> {
  await storeDetectionInput(t.db, from(yesterday));
  await sql`INSERT INTO collection_runs (run_id, endpoint, trigger, status, window_start)
    VALUES (gen_random_uuid(), 'usage_events', 'schedule', 'ok', ${`${yesterday}T18:00:00Z`})`.execute(t.db);
}

async function seeded(name: string): Promise<TestDb> {
  const t = await createTestDb(name);
  await storeDetectionInput(t.db, upTo(yesterday));
  await t.db
    .insertInto('members')
    .values(all.members.map((m) => ({ email: m.email, first_seen_at: `${m.firstSeenDay}T09:00:00Z` })))
    .execute();
  return t;
}

const found = (s: Awaited<ReturnType<typeof runDetectionPass>>) =>
  s.anomalies.map((a) => [a.subject, a.detector, a.onsetAt, a.impactCents]);

describe('warmSeriesCache', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await seeded('warm_cache');
  });
  afterAll(async () => dropTestDb(t));

  it('leaves the first pass after it to re-read only what the collection since changed, finding what a cold pass finds', async () => {
    const deps = { db: t.db, config: loadConfig({} as NodeJS.ProcessEnv), log: silentLog };
    const seriesCache = new DetectionSeriesCache();
    await warmSeriesCache({ db: t.db, seriesCache }, { asOf, now, settings: DEFAULT_SETTINGS });
    await startUpCollection(t);
    const warm = await runDetectionPass({ ...deps, seriesCache }, { asOf, now, settings: DEFAULT_SETTINGS });
    expect(warm.cache).toEqual({ full: false, readFrom: yesterday });
    const cold = await runDetectionPass(deps, { asOf, now, settings: DEFAULT_SETTINGS });
    expect(found(warm)).toEqual(found(cold));
    expect(warm.anomalies.map((a) => a.subject)).toContain(emailOf(4));
  });
});

/**
 * A detect worker on a seeded database of its own (`name`), registered by the test, its log lines kept: the hooks of
 * the describe block it is called in.
 */
function detectWorker(name: string) {
  const { log, lines } = keptLog();
  const w = {
    t: undefined as unknown as TestDb,
    boss: undefined as unknown as PgBoss,
    lines,
    /** What each release of the idle heap followed (release-heap.ts), in order. */
    releases: [] as string[],
    stop: new AbortController(),
    log,
    warmUp: undefined as unknown as SeriesWarmUp,
    /** As the worker starts (src/worker.ts): the warm-up first, then the workers that wait for it. */
    register: () => {
      const releaseHeap = (after: string) => void w.releases.push(after);
      w.warmUp = startSeriesWarmUp({ db: w.t.db, log: w.log, signal: w.stop.signal, releaseHeap });
      return registerDetectWorker(w.boss, {
        db: w.t.db,
        config: loadConfig({} as NodeJS.ProcessEnv),
        log: w.log,
        signal: w.stop.signal,
        warmUp: w.warmUp,
        releaseHeap,
      });
    },
  };
  beforeAll(async () => {
    w.t = await seeded(name);
    w.boss = await startBoss(w.t.url, silentLog);
  });
  afterAll(async () => {
    w.stop.abort();
    await w.boss?.stop({ graceful: false, close: true }).catch(() => {});
    await dropTestDb(w.t);
  });
  return w;
}

describe('the detect worker', () => {
  const w = detectWorker('warm_worker');

  it('fills its series cache when it starts, so its first pass re-reads only the next collection’s days', async () => {
    // The worker's passes run on its own clock (today, whatever the date): the run is recorded relative to it.
    const today = new Date().toISOString().slice(0, 10);
    await w.register();
    await waitFor(
      'the series cache to be filled',
      async () => w.lines.some((l) => l.msg === 'detection: series cache filled'),
      30_000,
    );
    await sql`INSERT INTO collection_runs (run_id, endpoint, trigger, status, window_start)
      VALUES (gen_random_uuid(), 'usage_events', 'schedule', 'ok', ${`${addDays(today, -1)}T18:00:00Z`})`.execute(
      w.t.db,
    );
    await detectQueue.send(w.boss, { trigger: 'test' });
    const pass = () => w.lines.find((l) => l.msg === 'detection pass finished');
    await waitFor('the first detection pass', async () => pass() !== undefined, 60_000);
    // A cold first pass would re-read its whole window (from today − H + 1).
    expect(pass()!.reread).toBe(addDays(today, -1));
    // The heap V8 no longer uses is given back after the warm-up and after the job's pass (release-heap.ts).
    await waitFor('the release after the pass', async () => w.releases.length === 2, 10_000);
    expect(w.releases).toEqual(['warm-up', 'detection pass']);
  }, 90_000);
});

describe('the detect worker whose warm-up fails', () => {
  const w = detectWorker('warm_fails');

  it('logs a warning, and its first pass reads its whole window', async () => {
    // The rollup the warm-up reads is missing while the worker starts (renamed on this test's database), and back
    // before the first job.
    await sql`ALTER TABLE user_daily_rollup RENAME TO user_daily_rollup_away`.execute(w.t.db);
    await w.register();
    const warned = () =>
      w.lines.find((l) => l.msg === 'detection: filling the series cache at start failed; the first pass reads all');
    await waitFor('the warm-up to fail', async () => warned() !== undefined, 30_000);
    expect(w.lines.some((l) => l.msg === 'detection: series cache filled')).toBe(false);
    expect(JSON.stringify(warned()!.err)).toMatch(/user_daily_rollup/);
    await sql`ALTER TABLE user_daily_rollup_away RENAME TO user_daily_rollup`.execute(w.t.db);
    await detectQueue.send(w.boss, { trigger: 'test' });
    const pass = () => w.lines.find((l) => l.msg === 'detection pass finished');
    await waitFor('the first detection pass', async () => pass() !== undefined, 60_000);
    const asOf = pass()!.asOf as string;
    expect(pass()!.reread).toBe(seriesWindow(asOf, { days: H, weekdayAware: DEFAULT_SETTINGS.weekdayAware }).from);
    // A failed warm-up is given back too.
    await waitFor('the release after the pass', async () => w.releases.length === 2, 10_000);
    expect(w.releases).toEqual(['warm-up', 'detection pass']);
  }, 90_000);
});

/** A Cursor API that counts the requests and answers none of them with data (the collection's outcome is not the point). */
async function cursorStub() {
  const requests: string[] = [];
  const api = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  return {
    requests,
    client: testClient(`http://127.0.0.1:${(api.address() as AddressInfo).port}`, { maxRetries: 0 }),
    close: async () => {
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    },
  };
}

/**
 * Starts `w`'s detect worker with its warm-up held on the rollup it reads (by a transaction of the test's), registers
 * a collect worker on `signal` and queues a collection; resolves once that collection says it waits. release() lets
 * the warm-up go on.
 */
async function collectionWaiting(
  w: ReturnType<typeof detectWorker>,
  cursor: Awaited<ReturnType<typeof cursorStub>>,
  signal: AbortSignal,
) {
  const holder = await w.t.pool.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE user_daily_rollup IN ACCESS EXCLUSIVE MODE');
  let held = true;
  const release = async () => {
    if (!held) return;
    held = false;
    await holder.query('COMMIT').catch(() => {});
    holder.release();
  };
  try {
    await w.register();
    const config = loadConfig({ BACKFILL_DAYS: '2' });
    await registerCollectWorker(w.boss, {
      db: w.t.db,
      client: cursor.client,
      log: w.log,
      config,
      signal,
      warmUp: w.warmUp,
    });
    await collectQueue.send(w.boss, { trigger: 'manual' });
    await waitFor(
      'the collection to wait',
      async () => said(w, 'collection waits for detection to fill its series cache') >= 0,
      30_000,
    );
  } catch (err) {
    await release();
    throw err;
  }
  return { release };
}

const said = (w: ReturnType<typeof detectWorker>, msg: string) => w.lines.findIndex((l) => l.msg === msg);

describe('a collection queued while the detect worker fills its series cache', () => {
  const w = detectWorker('warm_collect');

  it('waits for the warm-up to end before it calls Cursor', async () => {
    const cursor = await cursorStub();
    const { release } = await collectionWaiting(w, cursor, w.stop.signal);
    try {
      await setTimeout(3_000); // more than a poll of the queue (2 s): a collection that did not wait would have begun
      expect(cursor.requests).toEqual([]);
      expect(said(w, 'collection started')).toBe(-1);

      await release();
      await waitFor('the collection to call Cursor', async () => cursor.requests.length > 0, 30_000);
      expect(said(w, 'detection: series cache filled')).toBeGreaterThanOrEqual(0);
      expect(said(w, 'collection started')).toBeGreaterThan(said(w, 'detection: series cache filled'));
    } finally {
      await release();
      await cursor.close();
    }
  }, 90_000);
});

describe('a collection waiting for the warm-up when the worker shuts down', () => {
  const w = detectWorker('warm_collect_stop');

  it('does not start', async () => {
    const cursor = await cursorStub();
    const shutdown = new AbortController(); // the collect worker's; the detect worker's warm-up goes on
    const { release } = await collectionWaiting(w, cursor, shutdown.signal);
    try {
      shutdown.abort();
      await release();
      await waitFor('the warm-up to end', async () => said(w, 'detection: series cache filled') >= 0, 30_000);
      await setTimeout(3_000); // more than a poll of the queue (2 s)
      expect(said(w, 'collection started')).toBe(-1);
      expect(cursor.requests).toEqual([]);
    } finally {
      await release();
      await cursor.close();
    }
  }, 90_000);
});
