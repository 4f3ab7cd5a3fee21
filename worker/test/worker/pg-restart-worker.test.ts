import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { freePort, startEmbeddedPostgres, type EmbeddedPg } from '../../src/db/embedded';
import { createDb, type DbHandle } from '../../src/db/pool';
import { DAY_MS, startTestSimulator, TEST_KEY, truthTotals } from '../support/sim';
import { spawnCli, waitFor } from '../support/child';
import { clearOfMidnight } from '../support/clock';

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The postmaster's pid, first line of postmaster.pid (PostgreSQL's src/backend/utils/init/miscinit.c). */
const postmasterPid = (dataDir: string) =>
  Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The worker (a real child process, DATABASE_URL mode) mid-backfill while its PostgreSQL goes away twice:
 * `pg_ctl stop -m fast` (which sends the postmaster SIGINT: pg_ctl.c, do_stop / set_mode "fast") and later a SIGKILL
 * of the postmaster, each followed by a start some seconds later. The worker must stay up and end exact.
 */
describe('the worker while PostgreSQL restarts mid-collection', () => {
  let dir: string;
  let opts: { dataDir: string; port: number };
  let pg: EmbeddedPg;
  let handle: DbHandle;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  // The worker process runs on the wall clock, as does the simulator it reads: the whole test stays within one UTC day.
  beforeAll(async () => {
    await clearOfMidnight();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-pgrestart-'));
    fs.chmodSync(dir, 0o777);
    opts = { dataDir: path.join(dir, 'pg'), port: await freePort() };
    pg = await startEmbeddedPostgres(opts);
    handle = createDb(pg.connectionString, 2);
    sim = await startTestSimulator({ teamSize: 30, seed: 17 });
  }, 210_000);
  afterAll(async () => {
    await handle.close();
    await sim.server.close();
    await pg.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Restarts the cluster once the old postmaster and its backends are gone (shared memory must be released). */
  async function restart(pid: number) {
    await waitFor('the old postmaster to exit', async () => !alive(pid), 30_000, 100);
    await sleep(3000); // the worker runs without its database for a while
    pg = await waitFor('PostgreSQL to start again', async () => startEmbeddedPostgres(opts), 60_000, 1000);
  }

  const count = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(handle.db)).rows[0].n;

  it('survives a fast stop and a postmaster SIGKILL, reconnects, and ends with exactly the ground truth', async () => {
    const env = {
      DATABASE_URL: pg.connectionString,
      CURSOR_ADMIN_API_KEY: TEST_KEY,
      CURSOR_API_BASE_URL: sim.server.url,
      CURSOR_RATE_LIMIT_PER_MIN: '10000',
      CURSOR_EVENTS_RATE_LIMIT_PER_MIN: '10000',
      BACKFILL_DAYS: '3',
      WORKER_HEARTBEAT_SECONDS: '10',
      WORKER_API_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    };
    sim.server.setFaults({ slowMs: 60 });
    const worker = spawnCli('start.ts', env);
    let exitCode: number | null | undefined;
    void worker.exited.then((c) => (exitCode = c));
    try {
      await waitFor('the backfill to be under way', async () => (await count()) > 0, 90_000, 50);
      const pid1 = postmasterPid(opts.dataDir);
      process.kill(pid1, 'SIGINT'); // pg_ctl stop -m fast
      await restart(pid1);
      expect(exitCode).toBeUndefined();

      const atRestart = await waitFor('the collection to resume', async () => count(), 60_000, 200);
      await waitFor('more events after the restart', async () => (await count()) > atRestart, 90_000, 50);
      const pid2 = postmasterPid(opts.dataDir);
      process.kill(pid2, 'SIGKILL');
      await restart(pid2);
      expect(exitCode).toBeUndefined();

      sim.server.setFaults({ slowMs: 0 });
      await waitFor(
        'a usage events collection to finish',
        async () =>
          (
            await sql<{
              n: number;
            }>`SELECT count(*)::int AS n FROM collection_runs WHERE endpoint = 'usage_events' AND status = 'ok'`.execute(
              handle.db,
            )
          ).rows[0].n >= 1,
        180_000,
        500,
      );
      const truth = truthTotals(sim.team, startOfDay(Date.now()) - 3 * DAY_MS, sim.nowMs);
      const stored = await sql<{ n: number; cents: number; rn: number }>`
        SELECT (SELECT count(*) FROM usage_events)::int AS n, (SELECT sum(charged_cents) FROM usage_events)::float8 AS cents,
               (SELECT sum(events) FROM user_daily_rollup)::int AS rn`.execute(handle.db);
      expect(stored.rows[0]).toEqual({ n: truth.events, rn: truth.events, cents: expect.any(Number) });
      expect(stored.rows[0].cents).toBeCloseTo(truth.chargedCents, 2);
      expect(exitCode).toBeUndefined();
      // The pass itself waited for the database and resumed from the watermark (not only pg-boss's retry later).
      expect(worker.output()).toMatch(/database unreachable during collection/);
      expect(worker.output()).toMatch(/database back: resuming collection/);
      if (process.env.SHOW_WORKER_OUTPUT) console.log(worker.output());
    } catch (err) {
      console.error(`${String(err)}\n--- worker output ---\n${worker.output().slice(-6000)}`);
      throw err;
    } finally {
      worker.child.kill('SIGTERM');
      const code = await worker.exited;
      if (code !== 0) console.error(worker.output().slice(-4000));
    }
  }, 420_000);
});
