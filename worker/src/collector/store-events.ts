import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import type { UsageEvent } from '../cursor/schemas';
import { eventDedupeKey } from './dedupe';

export interface StoreResult {
  inserted: number;
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

/** Each daily rollup's measures: the column and how it aggregates the rows a statement inserted. */
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

/**
 * A rollup kept from the `ins` CTE: the inserted rows grouped by `keys` and added to the stored totals. Only the
 * constants above go into the text; it is ordered by the keys so concurrent writers lock rows in the same order.
 */
function rollupUpsert(table: string, keys: string[]) {
  const k = keys.join(', ');
  return sql.raw(`
      INSERT INTO ${table} AS r (${k}, ${MEASURES.map(([c]) => c).join(', ')})
      SELECT ${k}, ${MEASURES.map(([, agg]) => agg).join(', ')}
      FROM ins GROUP BY ${k} ORDER BY ${k}
      ON CONFLICT (${k}) DO UPDATE SET ${MEASURES.map(([c]) => `${c} = r.${c} + excluded.${c}`).join(', ')}
      RETURNING 1`);
}

/**
 * Stores events in bulk in ONE statement: rows already stored are skipped on the natural key, and the daily,
 * per-model and hourly rollups are incremented from the rows actually inserted — so re-delivered events (inclusive
 * bounds, overlapping windows, a crash and a retry) never count twice. Input is sorted so that concurrent writers
 * take row locks in the same order.
 */
export async function storeUsageEvents(db: DbOrTx, events: UsageEvent[]): Promise<StoreResult> {
  if (events.length === 0) return { inserted: 0, duplicates: 0 };
  const rows = events
    .map((e) => ({ e, key: eventDedupeKey(e) }))
    .sort((a, b) => a.e.timestamp - b.e.timestamp || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let min = Infinity;
  let max = -Infinity;
  for (const { e } of rows) {
    if (e.timestamp < min) min = e.timestamp;
    if (e.timestamp > max) max = e.timestamp;
  }
  await ensureEventPartitions(db, min, max);

  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const result = await sql<{ inserted: number }>`
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
      ON CONFLICT (event_ts, dedupe_key) DO NOTHING
      RETURNING day, user_email, model, event_ts, requests_costs, charged_cents, cursor_token_fee, input_tokens,
        output_tokens, cache_write_tokens, cache_read_tokens, max_mode, is_headless, is_chargeable
    ),
    per_user AS (${rollupUpsert('user_daily_rollup', ['user_email', 'day'])}),
    per_model AS (${rollupUpsert('user_model_daily_rollup', ['user_email', 'day', 'model'])}),
    -- Team-wide per model and day (sql/005_dashboard_rollups.sql): the dashboards' team panels.
    per_model_day AS (${rollupUpsert('model_daily_rollup', ['day', 'model'])}),
    per_hour AS (
      INSERT INTO hourly_rollup AS r (hour, model, events, charged_cents, total_tokens)
      SELECT date_trunc('hour', event_ts, 'UTC'), model, count(*), sum(charged_cents),
        sum(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens)
      FROM ins GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (hour, model) DO UPDATE SET events = r.events + excluded.events,
        charged_cents = r.charged_cents + excluded.charged_cents, total_tokens = r.total_tokens + excluded.total_tokens
      RETURNING 1
    )
    SELECT count(*)::int AS inserted FROM ins`.execute(db);
  const inserted = result.rows[0]?.inserted ?? 0;
  return { inserted, duplicates: events.length - inserted };
}
