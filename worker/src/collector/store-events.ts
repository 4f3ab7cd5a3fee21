import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import type { UsageEvent } from '../cursor/schemas';
import { eventDedupeKey } from './dedupe';

export interface StoreResult {
  inserted: number;
  /** Events already stored whose price Cursor restated (charged cents, token fee, requests): row and rollups moved. */
  restated: number;
  duplicates: number;
}

/**
 * Creates the monthly partitions that events in [minMs, maxMs] need. Idempotent and cheap when they exist (a
 * catalogue lookup per month), so it is simply called for every batch: no process-local cache that a rolled-back
 * transaction could leave lying. The collector also calls it once per window outside any transaction, so the DDL
 * (which locks usage_events) never sits inside a long page transaction.
 */
export async function ensureEventPartitions(db: DbOrTx, minMs: number, maxMs: number): Promise<void> {
  await sql`SELECT ensure_usage_event_partitions(${new Date(minMs).toISOString()}::timestamptz, ${new Date(maxMs).toISOString()}::timestamptz)`.execute(
    db,
  );
}

/**
 * Each daily rollup's measures: the column and how it aggregates the `delta` rows of a statement. A new event adds
 * all of itself; a restated one (inserted = false) adds only the change of its price (d_* columns), since counts and
 * tokens are part of its identity and cannot change.
 */
const MEASURES: [column: string, aggregate: string][] = [
  ['events', 'count(*) FILTER (WHERE inserted)'],
  ['requests_costs', 'sum(d_requests_costs)'],
  ['charged_cents', 'sum(d_charged_cents)'],
  ['token_fee_cents', 'sum(d_token_fee)'],
  ['input_tokens', 'coalesce(sum(input_tokens) FILTER (WHERE inserted), 0)'],
  ['output_tokens', 'coalesce(sum(output_tokens) FILTER (WHERE inserted), 0)'],
  ['cache_write_tokens', 'coalesce(sum(cache_write_tokens) FILTER (WHERE inserted), 0)'],
  ['cache_read_tokens', 'coalesce(sum(cache_read_tokens) FILTER (WHERE inserted), 0)'],
  ['max_mode_events', 'count(*) FILTER (WHERE inserted AND max_mode)'],
  ['headless_events', 'count(*) FILTER (WHERE inserted AND is_headless)'],
  ['chargeable_events', 'count(*) FILTER (WHERE inserted AND is_chargeable)'],
  ['max_mode_cents', 'coalesce(sum(d_charged_cents) FILTER (WHERE max_mode), 0)'],
  ['headless_cents', 'coalesce(sum(d_charged_cents) FILTER (WHERE is_headless), 0)'],
];

/**
 * A rollup kept from the `delta` CTE: new and restated rows grouped by `keys` and added to the stored totals. Only
 * the constants above go into the text; it is ordered by the keys so concurrent writers lock rows in the same order.
 */
function rollupUpsert(table: string, keys: string[]) {
  const k = keys.join(', ');
  return sql.raw(`
      INSERT INTO ${table} AS r (${k}, ${MEASURES.map(([c]) => c).join(', ')})
      SELECT ${k}, ${MEASURES.map(([, agg]) => agg).join(', ')}
      FROM delta GROUP BY ${k} ORDER BY ${k}
      ON CONFLICT (${k}) DO UPDATE SET ${MEASURES.map(([c]) => `${c} = r.${c} + excluded.${c}`).join(', ')}
      RETURNING 1`);
}

/**
 * Stores events in bulk in ONE statement: a new event is inserted; one already stored (same natural key) is left
 * alone, unless Cursor restated its price (charged cents, token fee, requests, token cents), then the row is
 * updated. The daily, per-model and hourly rollups move in the same statement by exactly what changed: a new event
 * adds itself, a restated one its price difference (old values read from the statement's snapshot, `prev`) — so
 * re-delivered events (inclusive bounds, overlapping windows, a crash and a retry) never count twice, and restated
 * ones leave every rollup equal to the sum of the stored events. Callers hold the collection lock (one writer). Input
 * is deduplicated on the key (one row cannot be updated twice by a statement) and sorted so that concurrent writers
 * take row locks in the same order.
 */
export async function storeUsageEvents(db: DbOrTx, events: UsageEvent[]): Promise<StoreResult> {
  if (events.length === 0) return { inserted: 0, restated: 0, duplicates: 0 };
  const unique = new Map<string, { e: UsageEvent; key: string }>();
  for (const e of events) {
    const key = eventDedupeKey(e);
    unique.set(`${e.timestamp}:${key}`, { e, key }); // the last delivery of a call wins
  }
  const rows = [...unique.values()].sort(
    (a, b) => a.e.timestamp - b.e.timestamp || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  let min = Infinity;
  let max = -Infinity;
  for (const { e } of rows) {
    if (e.timestamp < min) min = e.timestamp;
    if (e.timestamp > max) max = e.timestamp;
  }
  await ensureEventPartitions(db, min, max);

  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const result = await sql<{ inserted: number; restated: number }>`
    WITH input AS (
      SELECT * FROM unnest(
        ${col((r) => new Date(r.e.timestamp).toISOString())}::timestamptz[],
        ${col((r) => r.key)}::text[],
        ${col((r) => r.e.userEmail.toLowerCase())}::text[],
        ${col((r) => r.e.model)}::text[],
        ${col((r) => r.e.kind)}::text[],
        ${col((r) => r.e.maxMode)}::boolean[],
        ${col((r) => r.e.requestsCosts)}::numeric[],
        ${col((r) => r.e.isTokenBasedCall)}::boolean[],
        ${col((r) => r.e.isChargeable)}::boolean[],
        ${col((r) => r.e.isHeadless)}::boolean[],
        ${col((r) => r.e.tokenUsage?.inputTokens ?? 0)}::bigint[],
        ${col((r) => r.e.tokenUsage?.outputTokens ?? 0)}::bigint[],
        ${col((r) => r.e.tokenUsage?.cacheWriteTokens ?? 0)}::bigint[],
        ${col((r) => r.e.tokenUsage?.cacheReadTokens ?? 0)}::bigint[],
        ${col((r) => r.e.tokenUsage?.totalCents ?? 0)}::numeric[],
        ${col((r) => r.e.tokenUsage?.discountPercentOff ?? null)}::numeric[],
        ${col((r) => r.e.chargedCents)}::numeric[],
        ${col((r) => r.e.cursorTokenFee ?? 0)}::numeric[],
        ${col((r) => r.e.conversationId ?? null)}::text[],
        ${col((r) => r.e.serviceAccountId ?? null)}::text[],
        ${col((r) => r.e.serviceAccountName ?? null)}::text[],
        ${col((r) => r.e.cloudAgentId ?? null)}::text[],
        ${col((r) => r.e.automationId ?? null)}::text[],
        ${col((r) => r.e.isFreeBugbot ?? null)}::boolean[]
      ) AS t(event_ts, key_hex, user_email, model, kind, max_mode, requests_costs, is_token_based_call, is_chargeable,
             is_headless, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, token_total_cents,
             discount_percent_off, charged_cents, cursor_token_fee, conversation_id, service_account_id,
             service_account_name, cloud_agent_id, automation_id, is_free_bugbot)
    ),
    ins AS (
      INSERT INTO usage_events (event_ts, dedupe_key, day, user_email, model, kind, max_mode, requests_costs,
        is_token_based_call, is_chargeable, is_headless, input_tokens, output_tokens, cache_write_tokens,
        cache_read_tokens, token_total_cents, discount_percent_off, charged_cents, cursor_token_fee, conversation_id,
        service_account_id, service_account_name, cloud_agent_id, automation_id, is_free_bugbot)
      SELECT event_ts, decode(key_hex, 'hex'), (event_ts AT TIME ZONE 'UTC')::date, user_email, model, kind, max_mode,
        requests_costs, is_token_based_call, is_chargeable, is_headless, input_tokens, output_tokens,
        cache_write_tokens, cache_read_tokens, token_total_cents, discount_percent_off, charged_cents,
        cursor_token_fee, conversation_id, service_account_id, service_account_name, cloud_agent_id, automation_id,
        is_free_bugbot
      FROM input
      ON CONFLICT (event_ts, dedupe_key) DO UPDATE SET charged_cents = excluded.charged_cents,
        cursor_token_fee = excluded.cursor_token_fee, requests_costs = excluded.requests_costs,
        token_total_cents = excluded.token_total_cents, collected_at = now()
      WHERE (usage_events.charged_cents, usage_events.cursor_token_fee, usage_events.requests_costs,
             usage_events.token_total_cents)
        IS DISTINCT FROM (excluded.charged_cents, excluded.cursor_token_fee, excluded.requests_costs,
             excluded.token_total_cents)
      RETURNING dedupe_key, day, user_email, model, kind, event_ts, requests_costs, charged_cents, cursor_token_fee,
        input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, max_mode, is_headless, is_chargeable
    ),
    -- The stored price of an event already there, as the statement found it (every CTE sees the same snapshot, so
    -- not the row ins just wrote). One primary-key probe per returned row: LATERAL with OFFSET 0 keeps the planner
    -- from turning it into a hash join over the whole month's partition (a sequential scan per page, slower as the
    -- month fills: 85 of 150 ms at 50k rows in the partition).
    delta AS (
      SELECT ins.*, p.charged_cents IS NULL AS inserted,
        ins.charged_cents - coalesce(p.charged_cents, 0) AS d_charged_cents,
        ins.cursor_token_fee - coalesce(p.cursor_token_fee, 0) AS d_token_fee,
        ins.requests_costs - coalesce(p.requests_costs, 0) AS d_requests_costs
      FROM ins LEFT JOIN LATERAL (
        SELECT u.charged_cents, u.cursor_token_fee, u.requests_costs FROM usage_events u
        WHERE u.event_ts = ins.event_ts AND u.dedupe_key = ins.dedupe_key OFFSET 0
      ) p ON true
    ),
    per_user AS (${rollupUpsert('user_daily_rollup', ['user_email', 'day'])}),
    per_model AS (${rollupUpsert('user_model_daily_rollup', ['user_email', 'day', 'model'])}),
    -- Team-wide per model and day (sql/005_dashboard_rollups.sql): the dashboards' team panels.
    per_model_day AS (${rollupUpsert('model_daily_rollup', ['day', 'model'])}),
    -- Per developer, day and kind (sql/011_chargeback.sql): included versus usage-based spend for chargeback.
    per_kind AS (${rollupUpsert('user_kind_daily_rollup', ['user_email', 'day', 'kind'])}),
    per_hour AS (
      INSERT INTO hourly_rollup AS r (hour, model, events, charged_cents, total_tokens)
      SELECT date_trunc('hour', event_ts, 'UTC'), model, count(*) FILTER (WHERE inserted), sum(d_charged_cents),
        coalesce(sum(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens) FILTER (WHERE inserted), 0)
      FROM delta GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (hour, model) DO UPDATE SET events = r.events + excluded.events,
        charged_cents = r.charged_cents + excluded.charged_cents, total_tokens = r.total_tokens + excluded.total_tokens
      RETURNING 1
    )
    SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS restated
    FROM delta`.execute(db);
  const inserted = result.rows[0]?.inserted ?? 0;
  const restated = result.rows[0]?.restated ?? 0;
  return { inserted, restated, duplicates: events.length - inserted - restated };
}
