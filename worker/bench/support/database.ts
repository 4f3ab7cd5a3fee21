import type { Db } from '../../src/db/database';
import type { DetectionInput } from '../../src/detection';
import { storeDetectionInput } from '../evaluation/store-input';

export interface BenchDatabase {
  db: Db;
  /** For child processes that open their own pool. */
  url: string;
}

/**
 * Runs `bench` against an embedded PostgreSQL of its own (migrated, removed afterwards), with a pool of `poolSize`.
 * The database modules are imported here, when a benchmark needs them, not when its file is read.
 */
export async function withBenchDatabase<T>(
  name: string,
  poolSize: number,
  bench: (pg: BenchDatabase) => Promise<T>,
): Promise<T> {
  const { startEmbeddedPostgres, freePort } = await import('../../src/db/embedded');
  const { createDb } = await import('../../src/db/pool');
  const { migrateToLatest } = await import('../../src/db/migrate');
  const pgServer = await startEmbeddedPostgres({
    dataDir: `/tmp/cw-bench-${name}-${process.pid}`,
    port: await freePort(),
    ephemeral: true,
  });
  const handle = createDb(pgServer.connectionString, poolSize);
  try {
    await migrateToLatest(handle.db);
    return await bench({ db: handle.db, url: pgServer.connectionString });
  } finally {
    await handle.close();
    await pgServer.stop();
  }
}

/** Stores a team's rollups and its members (first seen on their first day, else on `firstDay`), as collected. */
export async function storeTeam(db: Db, input: DetectionInput, firstDay: string): Promise<void> {
  await storeDetectionInput(db, input);
  await db
    .insertInto('members')
    .values(input.members.map((m) => ({ email: m.email, first_seen_at: `${m.firstSeenDay ?? firstDay}T00:00:00Z` })))
    .execute();
}
