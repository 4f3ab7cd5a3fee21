import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { RefusedEvent } from '../cursor/client';
import type { DbOrTx } from '../db/database';
import type { Endpoint } from './runs';

/**
 * Keeps refused events raw with their reason (sql/008_quarantine.sql), in the page's transaction so they are recorded
 * exactly when the events beside them are stored and the watermark moves past them. JSON.stringify escapes NUL and
 * unpaired surrogates, so the raw text is always storable; a re-read of the same event bumps its counter.
 */
export async function quarantineEvents(
  db: DbOrTx,
  endpoint: Endpoint,
  window: { start: number; end: number },
  refused: RefusedEvent[],
): Promise<number> {
  if (refused.length === 0) return 0;
  const rows = new Map<string, { raw: string; reason: string }>();
  for (const r of refused) {
    const raw = JSON.stringify(r.raw) ?? 'null';
    rows.set(createHash('md5').update(raw).digest('hex'), { raw, reason: r.reason });
  }
  await db
    .insertInto('quarantined_events')
    .values(
      [...rows].map(([hash, r]) => ({
        endpoint,
        reason: r.reason.slice(0, 2000),
        raw: r.raw,
        raw_hash: hash,
        window_start: new Date(window.start),
        window_end: new Date(window.end),
      })),
    )
    .onConflict((oc) =>
      oc.column('raw_hash').doUpdateSet({
        last_seen_at: sql`now()`,
        times_seen: sql`quarantined_events.times_seen + 1`,
      }),
    )
    .execute();
  return refused.length;
}
