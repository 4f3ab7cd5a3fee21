import { randomUUID } from 'node:crypto';
import type { DriftEntry } from '../cursor/drift';
import type { DbOrTx } from '../db/database';

export type Endpoint =
  | 'members'
  | 'billing_groups'
  | 'spend'
  | 'daily_usage'
  | 'usage_events'
  | 'usage_events_restate'
  | 'audit_logs'
  | 'analytics';

export interface RunCounters {
  pages: number;
  rowsFetched: number;
  rowsNew: number;
  rowsUpdated: number;
  rateLimited: number;
  retries: number;
  /** Events refused and quarantined (sql/008_quarantine.sql). */
  rowsRefused?: number;
}

export const newRunId = (): string => randomUUID();

export async function getWatermark(db: DbOrTx, endpoint: Endpoint): Promise<Date | null> {
  const row = await db
    .selectFrom('collection_watermarks')
    .select('watermark')
    .where('endpoint', '=', endpoint)
    .executeTakeFirst();
  return row?.watermark ?? null;
}

/** Moves the watermark forward only (a late, older run never moves it back). Call inside the data's transaction. */
export async function advanceWatermark(db: DbOrTx, endpoint: Endpoint, watermark: Date): Promise<void> {
  await db
    .insertInto('collection_watermarks')
    .values({ endpoint, watermark, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('endpoint').doUpdateSet({
        watermark: (eb) => eb.fn('greatest', [eb.ref('collection_watermarks.watermark'), eb.ref('excluded.watermark')]),
        updated_at: new Date(),
      }),
    )
    .execute();
}

export async function startRun(
  db: DbOrTx,
  r: { runId: string; endpoint: Endpoint; trigger: string; windowStart?: Date; windowEnd?: Date },
): Promise<number> {
  const row = await db
    .insertInto('collection_runs')
    .values({
      run_id: r.runId,
      endpoint: r.endpoint,
      trigger: r.trigger,
      status: 'running',
      window_start: r.windowStart ?? null,
      window_end: r.windowEnd ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function finishRun(
  db: DbOrTx,
  id: number,
  startedAt: number,
  c: RunCounters,
  outcome: { error?: string; watermark?: Date | null; drift?: DriftEntry[] },
): Promise<void> {
  await db
    .updateTable('collection_runs')
    .set({
      status: outcome.error ? 'failed' : 'ok',
      pages: c.pages,
      rows_fetched: c.rowsFetched,
      rows_new: c.rowsNew,
      rows_updated: c.rowsUpdated,
      rows_refused: c.rowsRefused ?? 0,
      rate_limited: c.rateLimited,
      retries: c.retries,
      finished_at: new Date(),
      duration_ms: Date.now() - startedAt,
      error: outcome.error ?? null,
      watermark: outcome.watermark ?? null,
      drift: JSON.stringify(outcome.drift ?? []),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Runs left 'running' by a process that died are closed as failed, so status pages tell the truth. The collector
 * calls it holding the collection lock, when every open run is abandoned (olderThanMinutes 0).
 */
export async function failAbandonedRuns(db: DbOrTx, olderThanMinutes = 120): Promise<number> {
  const res = await db
    .updateTable('collection_runs')
    .set({ status: 'failed', error: 'abandoned: the worker stopped during this run', finished_at: new Date() })
    .where('status', '=', 'running')
    .where('started_at', '<=', new Date(Date.now() - olderThanMinutes * 60_000))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
