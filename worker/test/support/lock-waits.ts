import { setTimeout } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database';

/** The statements of this database waiting on a lock, once there is one (or none after about 2 s). */
export async function lockWaits(db: Db): Promise<string[]> {
  const waits = async () =>
    (
      await sql<{ query: string }>`SELECT query FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db)
    ).rows.map((r) => r.query);
  for (let i = 0; i < 200 && (await waits()).length === 0; i++) await setTimeout(10);
  return waits();
}
