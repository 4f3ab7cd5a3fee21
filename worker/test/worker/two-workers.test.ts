import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import type { Runtime } from '../../src/cli/bootstrap';
import { loadConfig } from '../../src/config/config';
import { collectQueue } from '../../src/jobs/queues';
import { startBoss } from '../../src/queue/boss';
import { startWorkerService, type WorkerService } from '../../src/worker';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { silentLog, startTestSimulator, testClient } from '../support/sim';
import { waitFor } from '../support/child';

describe('two workers started at once', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  const bosses: PgBoss[] = [];
  const services: WorkerService[] = [];

  beforeAll(async () => {
    t = await createTestDb('two');
    sim = await startTestSimulator({ teamSize: 15, seed: 3 });
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    for (const b of bosses) await b.stop({ graceful: false, close: true }).catch(() => {});
    await sim.server.close();
    await dropTestDb(t);
  });

  it('collect each window once: one backfill, and duplicate triggers are dropped by the exclusive queue', async () => {
    const config = loadConfig({ BACKFILL_DAYS: '2', COLLECT_CRON: '0 * * * *' });
    const runtimes: Runtime[] = await Promise.all(
      [1, 2].map(async () => {
        const boss = await startBoss(t.url, silentLog);
        bosses.push(boss);
        return {
          config,
          log: silentLog,
          db: t.db,
          connectionString: t.url,
          boss,
          client: testClient(sim.server.url),
          close: async () => {},
        };
      }),
    );
    services.push(...(await Promise.all(runtimes.map((rt) => startWorkerService(rt)))));

    // The whole backfill job, not only its usage_events run: the pass goes on after it (analytics, the per-group
    // rollups' refresh), and while its job is active the exclusive queue rightly refuses another collection.
    await waitFor(
      'the backfill to finish',
      async () => {
        const r = await sql<{ done: number; busy: number }>`
          SELECT count(*) FILTER (WHERE state = 'completed')::int AS done,
                 count(*) FILTER (WHERE state IN ('created', 'retry', 'active'))::int AS busy
          FROM pgboss.job WHERE name = ${collectQueue.name}`.execute(t.db);
        return r.rows[0].done >= 1 && r.rows[0].busy === 0;
      },
      90_000,
    );
    // Both workers queue a collection at the same moment: the queue keeps one.
    const sent = await Promise.all(bosses.map((b) => collectQueue.send(b, { trigger: 'manual' })));
    expect(sent.filter((id) => id !== null)).toHaveLength(1);
    await waitFor(
      'the second collection to finish',
      async () => {
        const r = await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM collection_runs WHERE endpoint = 'usage_events' AND status = 'ok'`.execute(
          t.db,
        );
        return r.rows[0].n >= 2;
      },
      90_000,
    );
    await new Promise((r) => setTimeout(r, 3_000)); // time for any stray duplicate job to show up

    const runs = await sql<{ trigger: string; n: number }>`
      SELECT trigger, count(*)::int AS n FROM collection_runs WHERE endpoint = 'usage_events' GROUP BY trigger ORDER BY trigger`.execute(
      t.db,
    );
    expect(runs.rows).toEqual([
      { trigger: 'backfill', n: 1 },
      { trigger: 'manual', n: 1 },
    ]);
    // Each collection queued a detection pass; the backfill's also replayed the backfilled days.
    await waitFor(
      'detection after collection',
      async () => {
        const r = await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'detect' AND state = 'completed'`.execute(t.db);
        return r.rows[0].n >= 1;
      },
      60_000,
    );
    const failedDetect = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'detect' AND state = 'failed'`.execute(t.db);
    expect(failedDetect.rows[0].n).toBe(0);

    const dupes = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM (SELECT 1 FROM usage_events GROUP BY event_ts, dedupe_key HAVING count(*) > 1) d`.execute(
      t.db,
    );
    expect(dupes.rows[0].n).toBe(0);
  });
});
