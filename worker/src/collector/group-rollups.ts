import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';

/**
 * The current billing cycle's chargeback per developer and group (sql/016_chargeback_cycle_rollups.sql): materialized
 * views over the per-developer rollups and each day's group. (The per-group rollups, the team's developers per day
 * and each developer's spend per month are tables kept by triggers: sql/020, sql/019.)
 */
export const GROUP_ROLLUPS = ['chargeback_cycle_developers', 'chargeback_cycle_group_models'] as const;

/**
 * Recomputes the current cycle's chargeback views. Called at the end of every collection pass, after events and
 * billing groups are stored, so a chargeback panel is at most one pass behind. CONCURRENTLY: Grafana keeps reading
 * the previous contents meanwhile (needs the views' unique indexes). Returns the time it took, ms.
 */
export async function refreshGroupRollups(db: DbOrTx): Promise<number> {
  const t0 = Date.now();
  for (const view of GROUP_ROLLUPS) await sql.raw(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`).execute(db);
  return Date.now() - t0;
}
