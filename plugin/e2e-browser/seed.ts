import { DAY_MS } from '@cursor-cost-watch/contract';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectOnce } from '../../worker/src/collector/collect';
import { loadConfig, type Config } from '../../worker/src/config/config';
import { createLogger } from '../../worker/src/config/log';
import { CursorClient } from '../../worker/src/cursor/client';
import { freePort, startEmbeddedPostgres } from '../../worker/src/db/embedded';
import { migrateToLatest } from '../../worker/src/db/migrate';
import { createDb } from '../../worker/src/db/pool';
import { runDetectionPass } from '../../worker/src/jobs/detection-pass';
import { createSimulatedTeam, startSimulatorServer } from '@cursor-cost-watch/simulator';
import { seedNudgedIncident } from './seed-nudge';

/**
 * A throwaway PostgreSQL filled the way production fills it: the simulated Cursor team served over HTTP, one real
 * collection (30-day backfill), then detection replayed over the last 14 days and today.
 */
export async function seedWorld(token: string) {
  const log = createLogger('warn', 'e2e');
  // As in the worker's test setup: as root, PostgreSQL runs as the postgres user, which must enter this folder.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-e2e-pg-'));
  chmodSync(dir, 0o777);
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    port: await freePort(),
    ephemeral: true,
  });
  const handle = createDb(pg.connectionString, 5);
  await migrateToLatest(handle.db);
  const config: Config = loadConfig({ WORKER_API_TOKEN: token, LOG_LEVEL: 'warn', DATABASE_URL: pg.connectionString });
  const team = createSimulatedTeam({ seed: 11, teamSize: 30, historyDays: 60 });
  const apiKey = `key_${'e'.repeat(64)}`;
  const sim = await startSimulatorServer({ team, apiKey, rateLimitsPerMinute: null });
  const client = new CursorClient({ baseUrl: sim.url, apiKey, rateLimits: { admin: 0, events: 0, analytics: 0 } });
  const collected = await collectOnce({ db: handle.db, client, log, config }, { trigger: 'backfill' });
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  for (let n = 14; n >= 1; n--) {
    const dayEnd = new Date(today - (n - 1) * DAY_MS - 1);
    await runDetectionPass({ db: handle.db, config, log }, { asOf: dayEnd.toISOString().slice(0, 10), now: dayEnd });
  }
  await runDetectionPass({ db: handle.db, config, log });
  // The simulator stays up: it is the Cursor that spend-limit changes reach (demo mode, as `npm start` runs it).
  // One developer incident goes through the nudge lifecycle (issue 15), for its timeline.
  const nudged = await seedNudgedIncident(handle.db, config);
  return {
    nudged,
    db: handle.db,
    config,
    log,
    collected,
    cursor: client,
    async close() {
      await sim.close();
      await handle.close();
      await pg.stop();
    },
  };
}
