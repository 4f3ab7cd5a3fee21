import { sql } from 'kysely';
import { freePort } from '../../src/db/embedded';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, startTestSimulator, TEST_KEY, truthTotals } from '../support/sim';
import { spawnCli, waitFor } from '../support/child';
import { clearOfMidnight } from '../support/clock';

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

describe('the worker killed in the middle of its backfill', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  // The worker process runs on the wall clock, as does the simulator it reads: the whole test stays within one UTC day.
  beforeAll(async () => {
    await clearOfMidnight();
    t = await createTestDb('wcrash');
    sim = await startTestSimulator({ teamSize: 30, seed: 13 });
  }, 150_000);
  afterAll(async () => {
    await sim.server.close();
    await dropTestDb(t);
  });

  it('is retried by the restarted worker and ends with exactly the ground truth', async () => {
    const env = async () => ({
      DATABASE_URL: t.url,
      CURSOR_ADMIN_API_KEY: TEST_KEY,
      CURSOR_API_BASE_URL: sim.server.url,
      CURSOR_RATE_LIMIT_PER_MIN: '10000',
      CURSOR_EVENTS_RATE_LIMIT_PER_MIN: '10000',
      BACKFILL_DAYS: '3',
      WORKER_HEARTBEAT_SECONDS: '10',
      WORKER_API_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });
    const count = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(t.db)).rows[0].n;

    sim.server.setFaults({ slowMs: 40 });
    const first = spawnCli('start.ts', await env());
    await waitFor('the backfill to be under way', async () => (await count()) > 0, 60_000, 50);
    first.child.kill('SIGKILL');
    await first.exited;
    sim.server.setFaults({ slowMs: 0 });
    const truth = truthTotals(sim.team, startOfDay(Date.now()) - 3 * DAY_MS, sim.nowMs);
    expect(await count()).toBeLessThan(truth.events);

    const second = spawnCli('start.ts', await env());
    try {
      await waitFor(
        'the retried collection to finish',
        async () => {
          const ok = await sql<{
            n: number;
          }>`SELECT count(*)::int AS n FROM collection_runs WHERE endpoint = 'usage_events' AND status = 'ok'`.execute(
            t.db,
          );
          return ok.rows[0].n >= 1;
        },
        120_000,
        500,
      );
      const stored = await sql<{ n: number; cents: number; rn: number }>`
        SELECT (SELECT count(*) FROM usage_events)::int AS n, (SELECT sum(charged_cents) FROM usage_events)::float8 AS cents,
               (SELECT sum(events) FROM user_daily_rollup)::int AS rn`.execute(t.db);
      expect(stored.rows[0].n).toBe(truth.events);
      expect(stored.rows[0].rn).toBe(truth.events);
      expect(stored.rows[0].cents).toBeCloseTo(truth.chargedCents, 2);
      const runs = await t.db
        .selectFrom('collection_runs')
        .select(['status', 'error'])
        .where('endpoint', '=', 'usage_events')
        .orderBy('id')
        .execute();
      expect(runs[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/abandoned/) });
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
    } catch (err) {
      console.error(`${String(err)}\n--- worker output ---\n${second.output().slice(-3000)}`);
      throw err;
    } finally {
      second.child.kill('SIGTERM');
      const code = await second.exited;
      if (code !== 0) console.error(second.output().slice(-4000));
      expect(code).toBe(0);
    }
  }, 240_000);
});
