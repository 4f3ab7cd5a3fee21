import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';

/**
 * The per-billing-group rollups and the team's developers per day (sql/015_group_rollups.sql), and the current
 * billing cycle's chargeback per developer and group (sql/016_chargeback_cycle_rollups.sql): materialized views over
 * the per-developer rollups. (Each developer's spend per month is a table kept by triggers since sql/019.)
 */
export const GROUP_ROLLUPS = [
  'group_daily_rollup',
  'group_model_daily_rollup',
  'team_daily_developers',
  'chargeback_cycle_developers',
  'chargeback_cycle_group_models',
] as const;

/**
 * Recomputes the per-group rollups from the per-developer rollups and today's group membership. Called at the end of
 * every collection pass, after events and billing groups are stored, so a group panel is at most one pass behind
 * and a developer who changed group has their whole history re-filed. CONCURRENTLY: Grafana keeps reading the
 * previous contents meanwhile (needs the views' unique indexes). Returns the time it took, ms.
 */
export async function refreshGroupRollups(db: DbOrTx): Promise<number> {
  const t0 = Date.now();
  for (const view of GROUP_ROLLUPS) await sql.raw(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`).execute(db);
  return Date.now() - t0;
}
