import type { CollectionStatus } from '@cursor-cost-watch/contract';
import { DAY_MS } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Per endpoint: its last run, last success, failures in the last day, watermark and lag behind now. */
export async function collectionStatus(db: DbOrTx, now: Date): Promise<CollectionStatus> {
  const since = new Date(now.getTime() - DAY_MS);
  const [lastRuns, successes, failures, watermarks, anyData] = await Promise.all([
    db
      .selectFrom('collection_runs')
      .distinctOn('endpoint')
      .select(['endpoint', 'started_at', 'status', 'trigger', 'duration_ms', 'rows_new', 'error'])
      .orderBy('endpoint')
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
    db
      .selectFrom('collection_runs')
      .select(['endpoint', (eb) => eb.fn.max('finished_at').as('at')])
      .where('status', '=', 'ok')
      .groupBy('endpoint')
      .execute(),
    db
      .selectFrom('collection_runs')
      .select(['endpoint', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'failed')
      .where('started_at', '>=', since)
      .groupBy('endpoint')
      .execute(),
    db.selectFrom('collection_watermarks').select(['endpoint', 'watermark']).execute(),
    sql<{
      has: boolean;
    }>`SELECT EXISTS (SELECT 1 FROM user_daily_rollup) OR EXISTS (SELECT 1 FROM members) AS has`.execute(db),
  ]);
  const names = [...new Set([...lastRuns.map((r) => r.endpoint), ...watermarks.map((w) => w.endpoint)])].sort();
  const endpoints = names.map((endpoint) => {
    const run = lastRuns.find((r) => r.endpoint === endpoint);
    const wm = watermarks.find((w) => w.endpoint === endpoint)?.watermark ?? null;
    return {
      endpoint,
      lastRunAt: iso(run?.started_at),
      lastStatus: run?.status ?? null,
      lastTrigger: run?.trigger ?? null,
      lastDurationMs: run?.duration_ms ?? null,
      lastRowsNew: run?.rows_new ?? null,
      lastError: run?.error ?? null,
      lastSuccessAt: iso(successes.find((s) => s.endpoint === endpoint)?.at ?? null),
      watermark: iso(wm),
      lagSeconds: wm ? Math.max(0, Math.round((now.getTime() - wm.getTime()) / 1000)) : null,
      failuresLast24h: Number(failures.find((f) => f.endpoint === endpoint)?.n ?? 0),
    };
  });
  const lastRunAt = lastRuns.reduce<Date | null>((m, r) => (m === null || r.started_at > m ? r.started_at : m), null);
  return { now: now.toISOString(), endpoints, lastRunAt: iso(lastRunAt), hasData: Boolean(anyData.rows[0]?.has) };
}
