import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { collectOnce } from '../../src/collector/collect';
import { freePort, startEmbeddedPostgres, type EmbeddedPg } from '../../src/db/embedded';
import { migrateToLatest } from '../../src/db/migrate';
import { createDb, type DbHandle } from '../../src/db/pool';
import { silentLog, startTestSimulator, testClient, TEST_NOW } from '../support/sim';

describe('a PostgreSQL restart', () => {
  it('is survived by the same pool: the next collection reconnects and loses nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-restart-'));
    fs.chmodSync(dir, 0o777);
    const port = await freePort();
    const opts = { dataDir: path.join(dir, 'pg'), port };
    let pg: EmbeddedPg = await startEmbeddedPostgres(opts);
    const handle: DbHandle = createDb(pg.connectionString, 4);
    const sim = await startTestSimulator({ teamSize: 10, seed: 5, nowMs: TEST_NOW });
    const deps = {
      db: handle.db,
      client: testClient(sim.server.url),
      log: silentLog,
      config: { BACKFILL_DAYS: 1, RESTATE_DAYS: 1 },
    };
    try {
      await migrateToLatest(handle.db);
      const first = await collectOnce(deps, { trigger: 'before', now: new Date(sim.nowMs) });
      expect(first.errors).toEqual([]);

      await pg.stop();
      pg = await startEmbeddedPostgres(opts);

      const second = await collectOnce(deps, { trigger: 'after', now: new Date(sim.nowMs) });
      expect(second.errors).toEqual([]);
      expect(second.events.inserted).toBe(0);
      const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(handle.db);
      expect(n.rows[0].n).toBe(first.events.inserted);
    } finally {
      await handle.close();
      await sim.server.close();
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
