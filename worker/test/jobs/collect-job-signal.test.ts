import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PgBoss } from 'pg-boss';
import { loadConfig } from '../../src/config/config';
import { collectQueue } from '../../src/jobs/queues';
import { registerCollectWorker } from '../../src/jobs/queues/collect';
import { startBoss } from '../../src/queue/boss';
import { waitFor } from '../support/child';
import { silentLog, testClient } from '../support/sim';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

// pg-boss aborts a job's signal when the job is no longer this worker's (cancelled, expired, retried elsewhere; its
// heartbeat finds the claim gone). A collection then stops at once, as at shutdown, rather than waiting on Cursor
// until its own timeouts: its result could no longer land, and while it runs the process keeps the collection's
// heap growth (lean-heap.ts).

describe('a collection job taken from this worker', () => {
  let t: TestDb;
  let boss: PgBoss;
  let api: http.Server;
  const requests: { url: string; closed: boolean }[] = [];

  beforeAll(async () => {
    t = await createTestDb('collect_job_signal');
    // A Cursor API that never answers: the collection waits on its first request until something aborts it.
    api = http.createServer((req) => {
      const seen = { url: req.url ?? '', closed: false };
      requests.push(seen);
      req.socket.once('close', () => (seen.closed = true));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    boss = await startBoss(t.url, silentLog, { heartbeatSeconds: 10 }); // pg-boss's least: refreshed every 5 s
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false, close: true }).catch(() => {});
    api?.closeAllConnections();
    await new Promise((resolve) => api?.close(resolve));
    if (t) await dropTestDb(t);
  });

  it('drops its request to Cursor within a heartbeat or two of the job being cancelled', async () => {
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const config = loadConfig({ BACKFILL_DAYS: '2' });
    // The client's own timeout is far longer than the test waits: only the job's signal can end the request.
    const client = testClient(url, { timeoutMs: 120_000, maxRetries: 0 });
    const shutdown = new AbortController();
    await registerCollectWorker(boss, { db: t.db, client, log: silentLog, config, signal: shutdown.signal });
    const id = await collectQueue.send(boss, { trigger: 'manual' });
    expect(id).not.toBeNull();
    await waitFor('the collection to call Cursor', async () => requests.length > 0, 30_000);
    expect(requests[0].closed).toBe(false);
    await boss.cancel(collectQueue.name, id!);
    // Its heartbeat (every 5 s) finds the claim gone and aborts the job's signal; the client's timeout is 120 s.
    await waitFor('the request to be dropped', async () => requests[0].closed, 30_000);
    expect(shutdown.signal.aborted).toBe(false); // the worker itself goes on
  }, 90_000);
});
