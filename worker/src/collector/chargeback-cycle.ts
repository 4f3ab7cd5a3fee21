import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';

/**
 * Brings the current billing cycle's chargeback tables (sql/021_chargeback_cycle_kept.sql) to the current cycle: they
 * are kept by triggers for the cycle they hold, and a new cycle (a new cycle start from Cursor, or a new calendar
 * month) is something no write shows them. Called at the end of every collection pass, after spend is stored; cheap
 * when the cycle has not changed, a rebuild of both when it has. (The per-group rollups, the team's developers per
 * day and each developer's spend per month need nothing: sql/020, sql/019.) Returns the time it took, ms, and whether
 * the cycle changed.
 */
export async function followChargebackCycle(db: DbOrTx): Promise<{ ms: number; rebuilt: boolean }> {
  const t0 = Date.now();
  const r = await sql<{ rebuilt: boolean }>`SELECT follow_chargeback_cycle() AS rebuilt`.execute(db);
  return { ms: Date.now() - t0, rebuilt: r.rows[0].rebuilt };
}
