import { sql } from 'kysely';
import type { Db } from '../db/database';

/** One developer's spend in one group over a cycle (sql/011_chargeback.sql, chargeback_user_days). */
export interface DeveloperGroupRow {
  groupId: string | null;
  groupName: string;
  email: string;
  name: string | null;
  totalCents: number;
  includedCents: number;
  usageBasedCents: number;
  requests: number;
  days: number;
}

export interface ModelRow {
  groupId: string | null;
  email: string;
  model: string;
  cents: number;
}

export interface CursorCycleTotals {
  overallCents: number;
  onDemandCents: number;
  collectedAt: Date;
}

/**
 * What the cycles can be derived from: the team's latest billing cycle start as Cursor stated it (POST /teams/spend,
 * else GET /teams/groups), and the first and last day with usage.
 */
export async function loadCycleAnchors(
  db: Db,
): Promise<{ latestCycle: string | null; firstDay: string | null; lastDay: string | null }> {
  const { rows } = await sql<{ latest: string | null; first: string | null; last: string | null }>`
    SELECT coalesce(
             (SELECT max((cycle_start AT TIME ZONE 'UTC')::date) FROM member_spend),
             (SELECT max(billing_cycle) FROM billing_groups))::text AS latest,
           (SELECT min(day) FROM user_kind_daily_rollup)::text AS first,
           (SELECT max(day) FROM user_kind_daily_rollup)::text AS last`.execute(db);
  return { latestCycle: rows[0].latest, firstDay: rows[0].first, lastDay: rows[0].last };
}

/** Each developer's spend per group for the days [start, end). */
export async function loadDeveloperGroupRows(db: Db, start: string, end: string): Promise<DeveloperGroupRow[]> {
  const { rows } = await sql<DeveloperGroupRow>`
    SELECT c.group_id AS "groupId", c.group_name AS "groupName", c.user_email AS email, mb.name,
      sum(c.charged_cents)::float8 AS "totalCents", sum(c.included_cents)::float8 AS "includedCents",
      sum(c.usage_based_cents)::float8 AS "usageBasedCents", sum(c.requests)::int AS requests, count(*)::int AS days
    FROM chargeback_user_days c
    LEFT JOIN members mb ON mb.email = c.user_email
    WHERE c.day >= ${start}::date AND c.day < ${end}::date
    GROUP BY c.group_id, c.group_name, c.user_email, mb.name`.execute(db);
  return rows;
}

/** Spend per group, developer and model for the days [start, end), each day in that day's group. */
export async function loadModelRows(db: Db, start: string, end: string): Promise<ModelRow[]> {
  const { rows } = await sql<ModelRow>`
    SELECT g.group_id AS "groupId", r.user_email AS email, r.model, sum(r.charged_cents)::float8 AS cents
    FROM user_model_daily_rollup r
    LEFT JOIN member_group_days m ON m.email = r.user_email AND m.day = r.day
    LEFT JOIN billing_groups g ON g.group_id = m.group_id
    WHERE r.day >= ${start}::date AND r.day < ${end}::date
    GROUP BY g.group_id, r.user_email, r.model`.execute(db);
  return rows;
}

/** Cursor's POST /teams/spend totals for the cycle starting `start`, as last collected; null when never collected. */
export async function loadCursorTotals(db: Db, start: string): Promise<CursorCycleTotals | null> {
  const { rows } = await sql<{ overall: number | null; onDemand: number | null; at: Date | null }>`
    SELECT sum(overall_spend_cents)::float8 AS overall, sum(spend_cents)::float8 AS "onDemand", max(collected_at) AS at
    FROM member_spend WHERE (cycle_start AT TIME ZONE 'UTC')::date = ${start}::date`.execute(db);
  const r = rows[0];
  return r.at === null ? null : { overallCents: r.overall ?? 0, onDemandCents: r.onDemand ?? 0, collectedAt: r.at };
}
