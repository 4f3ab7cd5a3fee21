import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';

/** The first UTC month kept: the month of `now` and the `months - 1` before it. */
export function firstKeptMonth(now: Date, months: number): string {
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`retention months must be ≥ 1, got ${months}`);
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1));
  return first.toISOString().slice(0, 7);
}

/**
 * Drops the monthly usage_events partitions (named usage_events_YYYY_MM by ensure_usage_event_partitions in
 * sql/001_collection.sql) older than the retention window. The rollups were written when the events were stored and
 * are not touched: dashboards and detection keep their history, only the raw events go. Returns the dropped names.
 */
export async function dropExpiredEventPartitions(db: DbOrTx, now: Date, months: number): Promise<string[]> {
  const keepFrom = firstKeptMonth(now, months).replace('-', '_');
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'usage_events'::regclass AND c.relname ~ '^usage_events_[0-9]{4}_[0-9]{2}$'
    ORDER BY c.relname`.execute(db);
  const expired = rows.map((r) => r.name).filter((name) => name.slice('usage_events_'.length) < keepFrom);
  for (const name of expired) await sql`DROP TABLE IF EXISTS ${sql.id(name)}`.execute(db);
  return expired;
}
