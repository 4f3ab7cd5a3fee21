import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/config';
import { freePort, startEmbeddedPostgres, type EmbeddedPg } from '../../src/db/embedded';
import { parentPid } from '../../src/db/embedded-pg/proc-info';
import { migrateToLatest } from '../../src/db/migrate';
import { createDb, type DbHandle } from '../../src/db/pool';
import { isConnectionError, resumeAfterDatabaseLoss } from '../../src/db/reconnect';
import { runDetectionPass } from '../../src/jobs/detection-pass';
import { silentLog } from '../support/sim';

/** The postmaster's pid, first line of postmaster.pid (PostgreSQL's src/backend/utils/init/miscinit.c). */
const postmasterPid = (dataDir: string) =>
  Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

/**
 * SIGKILL to the postmaster and every backend it started: a backend outlives a killed postmaster until it notices
 * (postmaster death is checked while waiting), so a pooled connection could still answer the pass's first queries
 * and the pass would not lose its database at all.
 */
function killServer(dataDir: string): void {
  const postmaster = postmasterPid(dataDir);
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => parentPid(pid) === postmaster);
  process.kill(postmaster, 'SIGKILL');
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited by itself
    }
  }
}

describe('a pass that loses its database', () => {
  let dir: string;
  let opts: { dataDir: string; port: number };
  let pg: EmbeddedPg;
  let handle: DbHandle;
  const lost: Error[] = [];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-reconnect-'));
    fs.chmodSync(dir, 0o777);
    opts = { dataDir: path.join(dir, 'pg'), port: await freePort() };
    pg = await startEmbeddedPostgres(opts);
    handle = createDb(pg.connectionString, 3, (err) => lost.push(err));
    await migrateToLatest(handle.db);
  }, 120_000);
  afterAll(async () => {
    await handle.close();
    await pg.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a checked-out idle connection whose server stops is heard by its listener instead of killing the process', async () => {
    const err = await handle.db
      .connection()
      .execute(async (conn) => {
        await sql`SELECT pg_advisory_lock(42)`.execute(conn);
        // pg_ctl stop -m fast sends the postmaster SIGINT (pg_ctl.c, do_stop with "fast" mode).
        process.kill(postmasterPid(opts.dataDir), 'SIGINT');
        // Held but idle, as the collection's lock session is while the pass works on other connections: the
        // server's goodbye arrives as an 'error' event with no query to fail, which killed the worker unheard.
        await new Promise((r) => setTimeout(r, 1500));
        await sql`SELECT pg_advisory_unlock(42)`.execute(conn);
      })
      .catch((e: unknown) => e);
    expect(isConnectionError(err)).toBe(true);
    expect(lost.map((e) => isConnectionError(e))).toContain(true); // the client's own listener heard it
    await new Promise((r) => setTimeout(r, 1000));
    pg = await startEmbeddedPostgres(opts);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
  }, 60_000);

  it('a detection pass waits for the database to come back, then runs again', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    let attempts = 0;
    const summary = await resumeAfterDatabaseLoss(
      'detection',
      async () => {
        attempts++;
        if (attempts === 1) {
          // The server dies mid-pass (SIGKILL of the postmaster and its backends); it is started again two seconds later.
          killServer(opts.dataDir);
          setTimeout(() => {
            void (async () => {
              for (;;) {
                try {
                  pg = await startEmbeddedPostgres(opts);
                  return;
                } catch {
                  await new Promise((r) => setTimeout(r, 500));
                }
              }
            })();
          }, 2000);
        }
        return runDetectionPass({ db: handle.db, config, log: silentLog }, { now: new Date('2026-11-20T12:00:00Z') });
      },
      { db: handle.db, log: silentLog, firstDelayMs: 200 },
    );
    expect(attempts).toBe(2);
    expect(summary).toMatchObject({ asOf: '2026-11-20' });
  }, 90_000);

  it('other errors are not retried', async () => {
    let attempts = 0;
    await expect(
      resumeAfterDatabaseLoss(
        'a bad query',
        async () => {
          attempts++;
          await sql`SELECT * FROM no_such_table`.execute(handle.db);
        },
        { db: handle.db, log: silentLog },
      ),
    ).rejects.toThrow(/no_such_table/);
    expect(attempts).toBe(1);
  });
});
