import { sql } from 'kysely';
import { collectOnce } from '../../src/collector/collect';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, silentLog, startTestSimulator, testClient, TEST_KEY, truthTotals } from '../support/sim';
import { spawnCli, waitFor } from '../support/child';
import { clearOfMidnight } from '../support/clock';

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

describe('a collection killed halfway', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  // The collector CLI below runs on the wall clock, as does the simulator it reads: the whole test stays within one
  // UTC day.
  beforeAll(async () => {
    await clearOfMidnight();
    t = await createTestDb('crash');
    sim = await startTestSimulator({ teamSize: 30, seed: 11 });
  }, 150_000);
  afterAll(async () => {
    await sim.server.close();
    await dropTestDb(t);
  });

  it('is finished by the next run with exactly the same totals as an uninterrupted one', async () => {
    sim.server.setFaults({ slowMs: 40 }); // slow pages, so the kill lands in the middle of the event backfill
    const run = spawnCli('collect.ts', {
      DATABASE_URL: t.url,
      CURSOR_ADMIN_API_KEY: TEST_KEY,
      CURSOR_API_BASE_URL: sim.server.url,
      CURSOR_RATE_LIMIT_PER_MIN: '10000',
      CURSOR_EVENTS_RATE_LIMIT_PER_MIN: '10000',
      BACKFILL_DAYS: '3',
      LOG_LEVEL: 'warn',
    });
    await waitFor(
      'some events stored',
      async () => {
        const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(t.db);
        return r.rows[0].n > 0;
      },
      60_000,
      50,
    );
    run.child.kill('SIGKILL');
    await run.exited;
    sim.server.setFaults({ slowMs: 0 });

    const truth = truthTotals(sim.team, startOfDay(Date.now()) - 3 * DAY_MS, sim.nowMs);
    const partial = await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(t.db);
    expect(partial.rows[0].n).toBeLessThan(truth.events); // it really was interrupted

    const s = await collectOnce(
      { db: t.db, client: testClient(sim.server.url), log: silentLog, config: { BACKFILL_DAYS: 3, RESTATE_DAYS: 2 } },
      { trigger: 'after-crash' },
    );
    expect(s.errors).toEqual([]);
    const stored = await sql<{ n: number; cents: number; rn: number; rcents: number }>`
      SELECT (SELECT count(*) FROM usage_events)::int AS n, (SELECT sum(charged_cents) FROM usage_events)::float8 AS cents,
             (SELECT sum(events) FROM user_daily_rollup)::int AS rn, (SELECT sum(charged_cents) FROM user_daily_rollup)::float8 AS rcents`.execute(
      t.db,
    );
    expect(stored.rows[0].n).toBe(truth.events);
    expect(stored.rows[0].rn).toBe(truth.events);
    expect(stored.rows[0].cents).toBeCloseTo(truth.chargedCents, 2);
    expect(stored.rows[0].rcents).toBeCloseTo(truth.chargedCents, 2);
  });
});
