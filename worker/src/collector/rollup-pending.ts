import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../db/database';

/**
 * The event rollups move in two steps (sql/017_rollup_pending.sql says why): a page adds what it changed to
 * rollup_pending, summed per developer, day, model, kind and hour, in its own transaction; once a day's pages are in,
 * flushPendingRollups adds those rows to the five rollups and empties the table, in one transaction. So the rollups
 * are the sums of the stored events after every flush, and each rollup row is written once per flush instead of once
 * per page. A day that was empty when its first page came (sql/018_rollup_fresh_days.sql: markFreshDays) skips the
 * first step: the flush sums its stored events instead.
 */

/**
 * The rollup measures: how the events of a set (`e`) add up to each, and what a restated price changes in it (rows of
 * `changed`: the stored columns and the new_* prices; counts and tokens do not move).
 */
const MEASURES: [column: string, fromEvents: string, fromRestated: string][] = [
  ['events', 'count(*)', '0'],
  ['requests_costs', 'sum(e.requests_costs)', 'sum(e.new_requests_costs - e.requests_costs)'],
  ['charged_cents', 'sum(e.charged_cents)', 'sum(e.new_charged_cents - e.charged_cents)'],
  ['token_fee_cents', 'sum(e.cursor_token_fee)', 'sum(e.new_cursor_token_fee - e.cursor_token_fee)'],
  ['input_tokens', 'sum(e.input_tokens)', '0'],
  ['output_tokens', 'sum(e.output_tokens)', '0'],
  ['cache_write_tokens', 'sum(e.cache_write_tokens)', '0'],
  ['cache_read_tokens', 'sum(e.cache_read_tokens)', '0'],
  ['max_mode_events', 'count(*) FILTER (WHERE e.max_mode)', '0'],
  ['headless_events', 'count(*) FILTER (WHERE e.is_headless)', '0'],
  ['chargeable_events', 'count(*) FILTER (WHERE e.is_chargeable)', '0'],
  [
    'max_mode_cents',
    'coalesce(sum(e.charged_cents) FILTER (WHERE e.max_mode), 0)',
    'coalesce(sum(e.new_charged_cents - e.charged_cents) FILTER (WHERE e.max_mode), 0)',
  ],
  [
    'headless_cents',
    'coalesce(sum(e.charged_cents) FILTER (WHERE e.is_headless), 0)',
    'coalesce(sum(e.new_charged_cents - e.charged_cents) FILTER (WHERE e.is_headless), 0)',
  ],
];
const COLUMNS = MEASURES.map(([c]) => c);
const PENDING_COLUMNS = `user_email, day, model, kind, hour, ${COLUMNS.join(', ')}`;
/** The UTC hour of e.event_ts: date_bin is arithmetic on the timestamp (date_trunc(…, 'UTC') converts per row). */
const HOUR = `date_bin('1 hour', e.event_ts, TIMESTAMPTZ '2000-01-01 00:00:00+00')`;
/** The pending rows of a set of events `e`, by developer, day, model, kind and hour, from `measure` of MEASURES. */
const pendingFrom = (measure: 1 | 2) =>
  `SELECT e.user_email, e.day, e.model, e.kind, ${HOUR}, ${MEASURES.map((m) => m[measure]).join(', ')}`;

/**
 * A statement that marks the days among `days` (an SQL date[] expression: a page's UTC dates) that hold no stored
 * event and no rollup row yet, and returns every one of them that is marked (now or by an earlier page) as `day`
 * (YYYY-MM-DD): their events need no pending rows, the flush sums them. The event check comes first, so a day that has
 * events (an hourly pass's today) costs one index probe. storeEventPage runs it before it stores the page's events,
 * in the page's first round trip: so a page locks rollup_fresh_days before rollup_pending, as the flush does.
 */
export const markFreshDays = (days: string): string => `
  WITH page AS (SELECT DISTINCT d AS day FROM unnest(${days}) AS d),
  newly AS (
    INSERT INTO rollup_fresh_days (day)
    SELECT p.day FROM page p
    WHERE NOT EXISTS (
        SELECT 1 FROM usage_events e
        WHERE e.event_ts >= p.day::timestamp AT TIME ZONE 'UTC' AND e.event_ts < (p.day + 1)::timestamp AT TIME ZONE 'UTC')
      AND NOT EXISTS (SELECT 1 FROM user_daily_rollup r WHERE r.day = p.day)
    ORDER BY p.day -- two writers' pages lock their marks in one order
    ON CONFLICT (day) DO NOTHING
    RETURNING day
  )
  SELECT to_char(day, 'YYYY-MM-DD') AS day FROM newly
  UNION
  SELECT to_char(f.day, 'YYYY-MM-DD') FROM rollup_fresh_days f JOIN page p USING (day)`;

/**
 * Adds the events this transaction inserted with event_ts in [first, last] (a page's COPY: they are the rows of the
 * range whose xmin is this transaction's id) to rollup_pending. Call it before the page updates any stored row.
 */
export async function addInsertedToPending(tx: Tx, first: string, last: string): Promise<void> {
  await sql`
    INSERT INTO rollup_pending (${sql.raw(PENDING_COLUMNS)})
    ${sql.raw(pendingFrom(1))}
    FROM usage_events e
    WHERE e.event_ts BETWEEN ${first}::timestamptz AND ${last}::timestamptz AND e.xmin = pg_current_xact_id()::xid
    GROUP BY 1, 2, 3, 4, 5`.execute(tx);
}

/**
 * The pending rows of events whose price was restated, from a set `changed` of (old row columns, new_* prices): the
 * counts do not move, the prices by their difference. A fragment for a statement that defines `changed`.
 */
export const PENDING_FROM_RESTATED: RawBuilder<unknown> = sql.raw(`
  INSERT INTO rollup_pending (${PENDING_COLUMNS})
  ${pendingFrom(2)}
  FROM changed e GROUP BY 1, 2, 3, 4, 5
  RETURNING 1`);

/** One rollup fed from `taken` (the pending rows flushed) regrouped by `keys`, added to the stored sums. */
function addTo(table: string, keys: string[]): string {
  const k = keys.join(', ');
  return `
    INSERT INTO ${table} AS r (${k}, ${COLUMNS.join(', ')})
    SELECT ${k}, ${COLUMNS.map((c) => `sum(${c})`).join(', ')} FROM taken GROUP BY ${k} ORDER BY ${k}
    ON CONFLICT (${k}) DO UPDATE SET ${COLUMNS.map((c) => `${c} = r.${c} + excluded.${c}`).join(', ')}
    RETURNING 1`;
}

/**
 * What the flush adds: the pending rows, and the sums of the fresh days' stored events at the same grain. A fresh
 * day's pending rows, if any (a writer that did not see its mark), are left out: its events are all counted here.
 */
const FLUSH = sql.raw(`
  WITH fresh AS MATERIALIZED (SELECT day FROM rollup_fresh_days),
  taken AS MATERIALIZED (
    SELECT ${PENDING_COLUMNS} FROM rollup_pending WHERE day NOT IN (SELECT day FROM fresh)
    UNION ALL
    ${pendingFrom(1)}
    FROM fresh f JOIN usage_events e
      ON e.event_ts >= f.day::timestamp AT TIME ZONE 'UTC' AND e.event_ts < (f.day + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY 1, 2, 3, 4, 5
  ),
  per_user AS (${addTo('user_daily_rollup', ['user_email', 'day'])}),
  per_model AS (${addTo('user_model_daily_rollup', ['user_email', 'day', 'model'])}),
  -- Team-wide per model and day (sql/005_dashboard_rollups.sql): the dashboards' team panels.
  per_model_day AS (${addTo('model_daily_rollup', ['day', 'model'])}),
  -- Per developer, day and kind (sql/011_chargeback.sql): included versus usage-based spend for chargeback.
  per_kind AS (${addTo('user_kind_daily_rollup', ['user_email', 'day', 'kind'])}),
  per_hour AS (
    INSERT INTO hourly_rollup AS r (hour, model, events, charged_cents, total_tokens)
    SELECT hour, model, sum(events), sum(charged_cents),
      sum(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens)
    FROM taken GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (hour, model) DO UPDATE SET events = r.events + excluded.events,
      charged_cents = r.charged_cents + excluded.charged_cents, total_tokens = r.total_tokens + excluded.total_tokens
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken)::int AS rows, (SELECT count(*) FROM fresh)::int AS marked`);

/**
 * Adds every pending row and the fresh days' events to the rollups, and empties rollup_pending and rollup_fresh_days,
 * in one transaction (a crash leaves them all for the next flush). Returns the rows it added (pending rows, and the
 * fresh days' events summed at the same grain).
 */
export async function flushPendingRollups(db: Db): Promise<number> {
  return db.transaction().execute(async (tx) => {
    // The lock TRUNCATE takes anyway, taken first: no page adds rows between the read and the TRUNCATE (a writer
    // waits for the flush to commit). TRUNCATE rather than DELETE: no dead rows left for vacuum, and no WAL per row.
    // In the order a page takes them (rollup_fresh_days in its first round trip, rollup_pending after its COPY): the
    // other order deadlocked with a page whose COPY was under way.
    await sql`LOCK TABLE rollup_fresh_days, rollup_pending IN ACCESS EXCLUSIVE MODE`.execute(tx);
    // Regrouping in hash tables in memory rather than sorting on disk (a day of 20,000 developers is ~100k groups).
    await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
    const { rows, marked } = (await FLUSH.execute(tx)).rows[0] as { rows: number; marked: number };
    // Most calls (a day without new events) find neither: no TRUNCATE then.
    if (rows > 0 || marked > 0) await sql`TRUNCATE rollup_pending, rollup_fresh_days`.execute(tx);
    return rows;
  });
}
