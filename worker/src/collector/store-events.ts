import { setImmediate as turn } from 'node:timers/promises';
import { sql } from 'kysely';
import type pg from 'pg';
import { clientTransaction } from '../db/client-transaction';
import { copyIn } from '../db/copy';
import type { Db, DbOrTx, Tx } from '../db/database';
import type { UsageEvent } from '../cursor/schemas';
import { addInsertedToPending, flushPendingRollups, markFreshDays, PENDING_FROM_RESTATED } from './rollup-pending';
import { eventDedupeKey } from './dedupe';
import { readAhead } from './read-ahead';

export interface StoreResult {
  inserted: number;
  /** Events already stored whose price Cursor restated (charged cents, token fee, requests, token cents). */
  restated: number;
  duplicates: number;
}

/**
 * Creates the monthly partitions that events in [minMs, maxMs] need. Idempotent and cheap when they exist (a
 * catalogue lookup per month), so every page calls the same SQL function too (storeOn): no process-local cache that a
 * rolled-back transaction could leave lying. The collector also calls it once per window outside any transaction, so
 * the DDL (which locks usage_events) never sits inside a long page transaction.
 */
export async function ensureEventPartitions(db: DbOrTx, minMs: number, maxMs: number): Promise<void> {
  await sql`SELECT ensure_usage_event_partitions(${new Date(minMs).toISOString()}::timestamptz, ${new Date(maxMs).toISOString()}::timestamptz)`.execute(
    db,
  );
}

/** An event of the page, its natural key (hex), UTC day, and its line of the COPY (set by preparePage). */
interface Row {
  e: UsageEvent;
  key: string;
  ts: string;
  day: string;
  line: string;
}

type Value = string | number | boolean | null | undefined;

/**
 * usage_events' columns as a page writes them, in one order for the COPY and for storeAlongside's INSERT: the
 * column, the type its values are sent as (dedupe_key travels as hex), and its value for an event of the page.
 */
const EVENT_COLUMNS: [column: string, type: string, value: (r: Row) => Value][] = [
  ['event_ts', 'timestamptz', (r) => r.ts],
  ['dedupe_key', 'bytea', (r) => r.key],
  ['day', 'date', (r) => r.day],
  ['user_email', 'text', (r) => r.e.userEmail.toLowerCase()],
  ['model', 'text', (r) => r.e.model],
  ['kind', 'text', (r) => r.e.kind],
  ['max_mode', 'boolean', (r) => r.e.maxMode],
  ['requests_costs', 'numeric', (r) => r.e.requestsCosts],
  ['is_token_based_call', 'boolean', (r) => r.e.isTokenBasedCall],
  ['is_chargeable', 'boolean', (r) => r.e.isChargeable],
  ['is_headless', 'boolean', (r) => r.e.isHeadless],
  ['input_tokens', 'bigint', (r) => r.e.tokenUsage?.inputTokens ?? 0],
  ['output_tokens', 'bigint', (r) => r.e.tokenUsage?.outputTokens ?? 0],
  ['cache_write_tokens', 'bigint', (r) => r.e.tokenUsage?.cacheWriteTokens ?? 0],
  ['cache_read_tokens', 'bigint', (r) => r.e.tokenUsage?.cacheReadTokens ?? 0],
  ['token_total_cents', 'numeric', (r) => r.e.tokenUsage?.totalCents ?? 0],
  ['discount_percent_off', 'numeric', (r) => r.e.tokenUsage?.discountPercentOff],
  ['charged_cents', 'numeric', (r) => r.e.chargedCents],
  ['cursor_token_fee', 'numeric', (r) => r.e.cursorTokenFee ?? 0],
  ['conversation_id', 'text', (r) => r.e.conversationId],
  ['service_account_id', 'text', (r) => r.e.serviceAccountId],
  ['service_account_name', 'text', (r) => r.e.serviceAccountName],
  ['cloud_agent_id', 'text', (r) => r.e.cloudAgentId],
  ['automation_id', 'text', (r) => r.e.automationId],
  ['is_free_bugbot', 'boolean', (r) => r.e.isFreeBugbot],
];
const COLUMN_LIST = EVENT_COLUMNS.map(([c]) => c).join(', ');
const valueOf = (column: string) => EVENT_COLUMNS.find(([c]) => c === column)![2];

/** The restatable prices and their columns' scale. */
const PRICES: [column: string, scale: number, value: (r: Row) => Value][] = (
  [
    ['charged_cents', 6],
    ['cursor_token_fee', 6],
    ['requests_costs', 4],
    ['token_total_cents', 6],
  ] as const
).map(([c, scale]) => [c, scale, valueOf(c)]);
const PRICE_LIST = PRICES.map(([c]) => c).join(', ');
const atScale = (v: number, scale: number) => Math.round(v * 10 ** scale) / 10 ** scale;

/**
 * Run first in a page's transaction (storeOn, storeAlongside, nothing): its commit does not wait for its WAL to reach the disk.
 * If PostgreSQL itself crashes, the last few hundred milliseconds of pages can be lost, but only as a whole suffix,
 * and the watermark moves in the same transactions: what is lost is behind the stored watermark and read again by the
 * next pass. Waiting for each page's flush was ~15% of the time it took to store a page.
 */
const ASYNC_COMMIT = 'SET LOCAL synchronous_commit = off';

/**
 * The stored prices of the page's events that are already there: one primary-key probe per event (LATERAL with
 * OFFSET 0 keeps the planner from a hash join over the whole month's partition).
 */
async function storedPrices(tx: Tx, rows: Row[]): Promise<Map<string, number[]>> {
  const found = await sql<Record<string, number> & { key: string }>`
    SELECT k.key_hex AS key, ${sql.raw(PRICES.map(([c]) => `p.${c}`).join(', '))}
    FROM unnest(${rows.map((r) => r.ts)}::timestamptz[], ${rows.map((r) => r.key)}::text[]) AS k(event_ts, key_hex)
    JOIN LATERAL (
      SELECT ${sql.raw(PRICE_LIST)} FROM usage_events u
      WHERE u.event_ts = k.event_ts AND u.dedupe_key = decode(k.key_hex, 'hex') OFFSET 0
    ) p ON true`.execute(tx);
  return new Map(found.rows.map((r) => [r.key, PRICES.map(([c]) => r[c])]));
}

/** COPY's text format: tab-separated, \N for null, backslash escapes (PostgreSQL's COPY documentation). */
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const COPY_FORMAT: Record<string, (v: NonNullable<Value>) => string> = {
  text: (v) =>
    /[\\\t\n\r]/.test(v as string) ? (v as string).replace(/[\\\t\n\r]/g, (c) => ESCAPED[c]) : (v as string),
  boolean: (v) => (v ? 't' : 'f'),
  bytea: (v) => `\\\\x${v}`,
};
const COPY_FIELDS = EVENT_COLUMNS.map(([, type, value]) => {
  const format = COPY_FORMAT[type] ?? String;
  return (r: Row) => {
    const v = value(r);
    return v == null ? '\\N' : format(v);
  };
});
const copyLine = (r: Row) => `${COPY_FIELDS.map((field) => field(r)).join('\t')}\n`;

async function copyRows(client: pg.PoolClient, rows: Row[]): Promise<void> {
  await copyIn(client, `COPY usage_events (${COLUMN_LIST}) FROM STDIN`, rows, (r) => r.line);
}

/** A page made ready to store: its events deduplicated, keyed, sorted and formatted for the COPY. */
export interface PreparedPage {
  /** Events as delivered, repeats within the page included (they count as duplicates). */
  delivered: number;
  rows: Row[];
}

/**
 * Events handled between two turns of the event loop (`turn`: what is waiting, a database reply, runs first) while a
 * page is prepared (~0.5 ms of work each).
 */
const SLICE = 100;

/**
 * Deduplicates the page on the key (the last delivery of a call wins) and sorts it, so concurrent writers lock in one
 * order, and formats each row's COPY line (used if the row turns out to be new). The work is done SLICE events at a
 * time, yielding to the event loop in between: storeEventPages prepares the next page this way while the current
 * one's statements run in PostgreSQL, so the worker's CPU (hashing and formatting, about 40% of a page's time) overlaps
 * the database's instead of adding to it.
 */
export async function preparePage(events: UsageEvent[]): Promise<PreparedPage> {
  const unique = new Map<string, Row>();
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && i % SLICE === 0) await turn();
    const e = events[i];
    const key = eventDedupeKey(e);
    const ts = new Date(e.timestamp).toISOString();
    unique.set(`${e.timestamp}:${key}`, { e, key, ts, day: ts.slice(0, 10), line: '' });
  }
  const rows = [...unique.values()].sort(
    (a, b) => a.e.timestamp - b.e.timestamp || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % SLICE === 0) await turn();
    rows[i].line = copyLine(rows[i]);
  }
  return { delivered: events.length, rows };
}

/**
 * Restated prices written over the stored ones, and their differences added to rollup_pending; returns how many
 * events really changed (at the columns' scale). The stored rows are read from the statement's snapshot, before
 * the update.
 */
async function restatePrices(tx: Tx, rows: Row[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = (i: number) => rows.map(PRICES[i][2]);
  const r = await sql<{ restated: number }>`
    WITH v AS (
      SELECT * FROM unnest(${rows.map((r) => r.ts)}::timestamptz[], ${rows.map((r) => r.key)}::text[],
        ${col(0)}::numeric(14,6)[], ${col(1)}::numeric(14,6)[], ${col(2)}::numeric(14,4)[], ${col(3)}::numeric(14,6)[])
        AS v(event_ts, key_hex, charged_cents, cursor_token_fee, requests_costs, token_total_cents)
    ),
    changed AS MATERIALIZED (
      SELECT o.*, v.charged_cents AS new_charged_cents, v.cursor_token_fee AS new_cursor_token_fee,
        v.requests_costs AS new_requests_costs, v.token_total_cents AS new_token_total_cents
      FROM v JOIN LATERAL (
        SELECT u.event_ts, u.dedupe_key, u.user_email, u.day, u.model, u.kind, u.max_mode, u.is_headless,
          u.charged_cents, u.cursor_token_fee, u.requests_costs, u.token_total_cents
        FROM usage_events u WHERE u.event_ts = v.event_ts AND u.dedupe_key = decode(v.key_hex, 'hex') OFFSET 0
      ) o ON true
      WHERE (o.charged_cents, o.cursor_token_fee, o.requests_costs, o.token_total_cents)
        IS DISTINCT FROM (v.charged_cents, v.cursor_token_fee, v.requests_costs, v.token_total_cents)
    ),
    updated AS (
      UPDATE usage_events u SET charged_cents = c.new_charged_cents, cursor_token_fee = c.new_cursor_token_fee,
        requests_costs = c.new_requests_costs, token_total_cents = c.new_token_total_cents, collected_at = now()
      FROM changed c WHERE u.event_ts = c.event_ts AND u.dedupe_key = c.dedupe_key
      RETURNING 1
    ),
    pending AS (${PENDING_FROM_RESTATED})
    SELECT (SELECT count(*) FROM updated)::int AS restated`.execute(tx);
  return r.rows[0].restated;
}

/**
 * Stores a page of events in the caller's transaction, on the connection `client` (the same one as `tx`): the page's
 * events already stored are found by key; the new ones go in by one COPY; the stored ones whose price Cursor restated
 * are updated; the rest are duplicates (inclusive bounds, overlapping windows, a crash and a retry), left alone. What
 * changed is added to rollup_pending (rollup-pending.ts) in the same transaction.
 * A page whose time span holds no stored event at all (a backfill, a new hour) skips the look-up by key.
 *
 * Callers hold the collection lock, so nothing else writes events between the look-up and the COPY. If something
 * did (a second writer), the COPY fails on the primary key and storeEventPage redoes the page with storeAlongside.
 */
async function storeOn(tx: Tx, client: pg.PoolClient, rows: Row[]): Promise<StoreResult> {
  const first = rows[0].ts;
  const last = rows[rows.length - 1].ts;
  // One round trip, four statements run one after the other (the simple query protocol): the commit that does not
  // wait for its WAL flush (ASYNC_COMMIT says why), the page's partitions, and whether any event is stored in its
  // span. The partitions come before the look-up and in a statement of their own: a partition they create locks
  // usage_events, which must not be held already (two writers that each read usage_events and then created a
  // partition deadlocked).
  // Then the page's days that were empty before it are marked fresh (rollup-pending.ts): their events add nothing
  // to rollup_pending.
  const [from, to] = [client.escapeLiteral(first), client.escapeLiteral(last)];
  const days = [...new Set(rows.map((r) => r.day))];
  const results = (await client.query(`${ASYNC_COMMIT};
    SELECT ensure_usage_event_partitions(${from}::timestamptz, ${to}::timestamptz);
    SELECT EXISTS (SELECT 1 FROM usage_events WHERE event_ts BETWEEN ${from}::timestamptz AND ${to}::timestamptz)
      AS any_stored;
    ${markFreshDays(`ARRAY[${days.map((d) => client.escapeLiteral(d)).join(', ')}]::date[]`)}`)) as unknown as [
    unknown,
    unknown,
    pg.QueryResult<{ any_stored: boolean }>,
    pg.QueryResult<{ day: string }>,
  ];
  const span = results[2];
  const fresh = new Set(results[3].rows.map((r) => r.day));
  const stored = span.rows[0].any_stored ? await storedPrices(tx, rows) : new Map<string, number[]>();
  const added: Row[] = [];
  const repriced: Row[] = [];
  for (const r of rows) {
    const old = stored.get(r.key);
    if (!old) added.push(r);
    else if (PRICES.some(([, scale, value], i) => atScale(Number(value(r)), scale) !== old[i])) repriced.push(r);
  }
  if (added.length > 0) {
    await copyRows(client, added);
    // Before any stored row of the range is updated; not needed when every day of the page is fresh (a backfill).
    if (days.some((d) => !fresh.has(d))) await addInsertedToPending(tx, first, last);
  }
  const restated = await restatePrices(tx, repriced);
  return { inserted: added.length, restated, duplicates: rows.length - added.length - restated };
}

/**
 * The page stored when another writer is storing some of its events at the same time: INSERT … ON CONFLICT DO
 * NOTHING waits for the other writer and skips what it stored; the rest of the page is then compared with the stored
 * prices like any re-delivered event.
 */
async function storeAlongside(tx: Tx, rows: Row[]): Promise<StoreResult> {
  await sql.raw(ASYNC_COMMIT).execute(tx);
  const arrays = EVENT_COLUMNS.map(
    ([, type, value]) => sql`${rows.map((r) => value(r) ?? null)}::${sql.raw(type === 'bytea' ? 'text' : type)}[]`,
  );
  const result = await sql<{ key: string }>`
    INSERT INTO usage_events (${sql.raw(COLUMN_LIST)})
    SELECT ${sql.raw(COLUMN_LIST.replace('dedupe_key', "decode(dedupe_key, 'hex')"))}
    FROM unnest(${sql.join(arrays)}) AS t(${sql.raw(COLUMN_LIST)})
    ON CONFLICT (event_ts, dedupe_key) DO NOTHING
    RETURNING encode(dedupe_key, 'hex') AS key`.execute(tx);
  const inserted = new Set(result.rows.map((r) => r.key));
  if (inserted.size > 0) await addInsertedToPending(tx, rows[0].ts, rows[rows.length - 1].ts);
  const restated = await restatePrices(
    tx,
    rows.filter((r) => !inserted.has(r.key)),
  );
  return { inserted: inserted.size, restated, duplicates: rows.length - inserted.size - restated };
}

/**
 * One page in its own transaction: its events stored (storeOn) and `more` (the collector's quarantine and
 * watermark) committed with them. The rollups are not moved: what changed waits in rollup_pending until
 * flushPendingRollups, once the day's pages are in. A page another writer stored part of at the same time is redone
 * in a new transaction by storeAlongside.
 */
export async function storeEventPage(
  db: Db,
  events: UsageEvent[] | PreparedPage,
  more?: (tx: Tx, stored: StoreResult) => Promise<void>,
): Promise<StoreResult> {
  const { rows, delivered } = Array.isArray(events) ? await preparePage(events) : events;
  const page = async (store: (tx: Tx, client: pg.PoolClient) => Promise<StoreResult>) =>
    clientTransaction(db, async (tx, client) => {
      const stored = rows.length > 0 ? await store(tx, client) : await nothing(tx);
      stored.duplicates += delivered - rows.length; // repeated within the page
      if (more) await more(tx, stored);
      return stored;
    });
  try {
    return await page((tx, client) => storeOn(tx, client, rows));
  } catch (err) {
    const { code, table } = err as { code?: string; table?: string };
    if (code !== '23505' || !table?.startsWith('usage_events')) throw err; // another writer stored some events first
    return page((tx) => storeAlongside(tx, rows));
  }
}

/**
 * Pages stored one after another, each in its own transaction as storeEventPage stores it, `more` committed with
 * each. The next page is read from `pages` and prepared (preparePage) while the current one is being stored: for the
 * collector, the next page's request to Cursor, its checks and its hashing run while PostgreSQL stores this one.
 * Pages still commit in order, one at a time. If a page fails, the page read ahead is dropped unstored (its request
 * is the caller's to abort: see readAhead).
 */
export async function storeEventPages<P extends { events: UsageEvent[] }>(
  db: Db,
  pages: AsyncIterable<P>,
  more?: (tx: Tx, stored: StoreResult, page: P) => Promise<void>,
): Promise<void> {
  async function* prepared() {
    for await (const page of pages) yield { page, prepared: await preparePage(page.events) };
  }
  for await (const { page, prepared: p } of readAhead(prepared())) {
    await storeEventPage(db, p, more && ((tx, stored) => more(tx, stored, page)));
  }
}

/** An empty page: only what `more` writes, committed as the pages are. */
async function nothing(tx: Tx): Promise<StoreResult> {
  await sql.raw(ASYNC_COMMIT).execute(tx);
  return { inserted: 0, restated: 0, duplicates: 0 };
}

/** Stores events and brings the rollups up to date: for callers outside a collection pass. */
export async function storeUsageEvents(db: Db, events: UsageEvent[]): Promise<StoreResult> {
  const stored = await storeEventPage(db, events);
  await flushPendingRollups(db);
  return stored;
}
