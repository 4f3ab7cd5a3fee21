import { sql } from 'kysely';
import type { Db, DbOrTx, Tx } from '../db/database';
import { DAY_MS } from '@cursor-cost-watch/contract';

/**
 * The event rollups are recomputed from the stored events, one UTC day at a time, after the day's pages are stored
 * (sql/017_rollup_stale_days.sql says why). A recompute is the sum of the day's events whatever happened before (new
 * events, restated prices, a page stored twice), so the rollups are exact by construction. Days are only ever
 * recomputed while their events are kept: retention drops old months' events and keeps their rollups, and an old
 * day is never marked again, since the collector reads at most the API's last 30 days.
 */

/** Each daily rollup's measures and how the day's events add up to them. */
const MEASURES: [column: string, aggregate: string][] = [
  ['events', 'count(*)'],
  ['requests_costs', 'sum(requests_costs)'],
  ['charged_cents', 'sum(charged_cents)'],
  ['token_fee_cents', 'sum(cursor_token_fee)'],
  ['input_tokens', 'sum(input_tokens)'],
  ['output_tokens', 'sum(output_tokens)'],
  ['cache_write_tokens', 'sum(cache_write_tokens)'],
  ['cache_read_tokens', 'sum(cache_read_tokens)'],
  ['max_mode_events', 'count(*) FILTER (WHERE max_mode)'],
  ['headless_events', 'count(*) FILTER (WHERE is_headless)'],
  ['chargeable_events', 'count(*) FILTER (WHERE is_chargeable)'],
  ['max_mode_cents', 'coalesce(sum(charged_cents) FILTER (WHERE max_mode), 0)'],
  ['headless_cents', 'coalesce(sum(charged_cents) FILTER (WHERE is_headless), 0)'],
];
const COLUMNS = MEASURES.map(([c]) => c);

/**
 * One daily rollup written from `fine` (the day's sums per developer, model and kind) regrouped by `keys`. A row whose
 * sums did not change is not rewritten: an hourly pass recomputes today, and most developers' rows stay the same.
 */
function upsertFromFine(table: string, keys: string[]) {
  const k = keys.join(', ');
  return `
    INSERT INTO ${table} AS r (${k}, ${COLUMNS.join(', ')})
    SELECT ${k}, ${COLUMNS.map((c) => `sum(${c})`).join(', ')} FROM fine GROUP BY ${k} ORDER BY ${k}
    ON CONFLICT (${k}) DO UPDATE SET ${COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE (${COLUMNS.map((c) => `r.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMNS.map((c) => `excluded.${c}`).join(', ')})
    RETURNING 1`;
}

const FINE_COLUMNS = sql.raw(MEASURES.map(([c, agg]) => `${agg} AS ${c}`).join(', '));
const DAILY_UPSERTS = sql.raw(`
  per_user AS (${upsertFromFine('user_daily_rollup', ['user_email', 'day'])}),
  per_model AS (${upsertFromFine('user_model_daily_rollup', ['user_email', 'day', 'model'])}),
  per_model_day AS (${upsertFromFine('model_daily_rollup', ['day', 'model'])}),
  per_kind AS (${upsertFromFine('user_kind_daily_rollup', ['user_email', 'day', 'kind'])})`);

/**
 * Recomputes the five rollups of one UTC day ("YYYY-MM-DD") from its stored events, in the caller's transaction.
 * The day's events are read once
 * (a range of the month's partition) and summed per developer, model and kind; the four daily rollups are regrouped
 * from those few thousand rows. The hourly one needs the events' hours: a second read.
 */
export async function recomputeDayRollups(tx: Tx, day: string): Promise<void> {
  const from = new Date(`${day}T00:00:00Z`);
  const to = new Date(from.getTime() + DAY_MS);
  // Summing a day in a hash table in memory (a day of 20,000 developers is ~100k groups) instead of sorting its
  // events on disk: half the time (EXPLAIN ANALYZE, 47k events: 46 against 87-105 ms).
  await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
  await sql`
    WITH fine AS MATERIALIZED (
      SELECT user_email, day, model, kind, ${FINE_COLUMNS}
      FROM usage_events WHERE event_ts >= ${from} AND event_ts < ${to}
      GROUP BY user_email, day, model, kind
    ),
    ${DAILY_UPSERTS}
    SELECT (SELECT count(*) FROM per_user) + (SELECT count(*) FROM per_model) + (SELECT count(*) FROM per_model_day)
      + (SELECT count(*) FROM per_kind) AS written`.execute(tx);
  // The hour by date_bin, arithmetic on the timestamp (UTC hours): date_trunc(…, 'UTC') converts time zones per
  // event and took a third longer.
  await sql`
    INSERT INTO hourly_rollup AS r (hour, model, events, charged_cents, total_tokens)
    SELECT date_bin('1 hour', event_ts, TIMESTAMPTZ '2000-01-01 00:00:00+00'), model, count(*), sum(charged_cents),
      sum(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens)
    FROM usage_events WHERE event_ts >= ${from} AND event_ts < ${to}
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (hour, model) DO UPDATE SET events = excluded.events, charged_cents = excluded.charged_cents,
      total_tokens = excluded.total_tokens
    WHERE (r.events, r.charged_cents, r.total_tokens)
      IS DISTINCT FROM (excluded.events, excluded.charged_cents, excluded.total_tokens)`.execute(tx);
}

/**
 * Marks the days whose events a page inserted or restated, in the page's transaction. DO UPDATE (not DO NOTHING)
 * takes the row's lock, so a refresh that deletes the mark waits for this page to commit and then sees its events.
 */
export async function markDaysStale(tx: DbOrTx, days: Iterable<string>): Promise<void> {
  const sorted = [...new Set(days)].sort(); // one lock order for concurrent writers
  if (sorted.length === 0) return;
  await sql`
    INSERT INTO rollup_stale_days (day) SELECT unnest(${sorted}::date[])
    ON CONFLICT (day) DO UPDATE SET marked_at = now()`.execute(tx);
}

/**
 * Recomputes the rollups of every day marked stale, oldest first, each in its own transaction that also clears the
 * mark (a crash leaves the day marked for the next call). Returns the days recomputed.
 */
export async function refreshStaleDayRollups(db: Db): Promise<string[]> {
  const marked = await db.selectFrom('rollup_stale_days').select('day').orderBy('day').execute();
  const done: string[] = [];
  for (const { day } of marked) {
    const recomputed = await db.transaction().execute(async (tx) => {
      const taken = await tx.deleteFrom('rollup_stale_days').where('day', '=', day).returning('day').execute();
      if (taken.length === 0) return false; // another refresh took it
      await recomputeDayRollups(tx, day);
      return true;
    });
    if (recomputed) done.push(day);
  }
  return done;
}
