import pg from 'pg';
import type { ApiUsageEvent } from '../../src/cursor/schemas';

/**
 * Who, when (ms), which model and kind, the tokens and the conversation: enough to tell two calls apart, computed
 * independently of the collector's own dedupe key (src/collector/dedupe.ts), so a fault in that key shows up here.
 */
export function eventIdentity(e: ApiUsageEvent): string {
  return [
    e.userEmail.toLowerCase(),
    Number(e.timestamp),
    e.model,
    e.kind,
    e.tokenUsage?.inputTokens ?? 0,
    e.tokenUsage?.outputTokens ?? 0,
    e.conversationId ?? '',
  ].join('|');
}

/** The same identity, computed by PostgreSQL from a stored row. */
const STORED_IDENTITY = `lower(user_email) || '|' || (extract(epoch FROM event_ts) * 1000)::bigint || '|' || model || '|' ||
  kind || '|' || input_tokens || '|' || output_tokens || '|' || coalesce(conversation_id, '')`;

export interface EventAccount {
  truthEvents: number;
  stored: number;
  /** Ground-truth events with no stored row. */
  lost: number;
  /** Stored rows beyond one per ground-truth event (a second copy, or an event the API never served). */
  duplicated: number;
  /** The larger gap, in cents, between the ground truth's charged cents and the events' or the rollups' sum. */
  centsOff: number;
  rollupEvents: number;
  quarantined: number;
}

/** Compares what the database holds with the simulator's ground truth, event by event. */
export async function accountEvents(url: string, truth: [string, number][]): Promise<EventAccount> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = await c.query<{ k: string }>(`SELECT ${STORED_IDENTITY} AS k FROM usage_events`);
    const sums = await c.query<{ cents: number | null; rcents: number | null; rn: number | null; q: number }>(
      `SELECT (SELECT sum(charged_cents) FROM usage_events)::float8 AS cents,
              (SELECT sum(charged_cents) FROM user_daily_rollup)::float8 AS rcents,
              (SELECT sum(events) FROM user_daily_rollup)::int AS rn,
              (SELECT count(*) FROM quarantined_events)::int AS q`,
    );
    const expected = new Map<string, number>();
    let truthCents = 0;
    for (const [k, cents] of truth) {
      expected.set(k, (expected.get(k) ?? 0) + 1);
      truthCents += cents;
    }
    const seen = new Map<string, number>();
    for (const r of rows.rows) seen.set(r.k, (seen.get(r.k) ?? 0) + 1);
    let lost = 0;
    let duplicated = 0;
    for (const [k, n] of expected) lost += Math.max(0, n - (seen.get(k) ?? 0));
    for (const [k, n] of seen) duplicated += Math.max(0, n - (expected.get(k) ?? 0));
    const s = sums.rows[0];
    const centsOff = Math.max(Math.abs((s.cents ?? 0) - truthCents), Math.abs((s.rcents ?? 0) - truthCents));
    return {
      truthEvents: truth.length,
      stored: rows.rows.length,
      lost,
      duplicated,
      centsOff: Math.round(centsOff * 100) / 100,
      rollupEvents: s.rn ?? 0,
      quarantined: s.q,
    };
  } finally {
    await c.end();
  }
}
