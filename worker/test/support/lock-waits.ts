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

/**
 * Runs `held` in a transaction kept open, then `then` outside it; returns the statements waiting on a lock while the
 * first is held (lockWaits), after both have finished.
 */
export async function waitsWhileHeld(
  db: Db,
  held: (tx: Db) => Promise<unknown>,
  then: (db: Db) => Promise<unknown>,
): Promise<string[]> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let written!: () => void;
  const heldWritten = new Promise<void>((resolve) => (written = resolve));
  const first = db.transaction().execute(async (tx) => {
    await held(tx);
    written();
    await gate;
  });
  await heldWritten;
  const second = then(db);
  const waiting = await lockWaits(db);
  release();
  await Promise.all([first, second]);
  return waiting;
}
