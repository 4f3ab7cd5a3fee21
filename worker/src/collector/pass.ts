import type { Config } from '../config/config';
import type { Logger } from '../config/log';
import type { CursorClient } from '../cursor/client';
import type { DriftEntry } from '../cursor/drift';
import { CursorApiError } from '../cursor/errors';
import { ADMIN_KEY_HELP } from '../cursor/preflight';
import type { Db } from '../db/database';
import { isConnectionError } from '../db/reconnect';
import { finishRun, startRun, type Endpoint, type RunCounters } from './runs';

export interface CollectDeps {
  db: Db;
  client: CursorClient;
  log: Logger;
  config: Pick<Config, 'BACKFILL_DAYS' | 'RESTATE_DAYS'> & Partial<Pick<Config, 'EVENT_OVERLAP_HOURS'>>;
  signal?: AbortSignal;
}

export interface CollectOptions {
  trigger: string;
  now?: Date;
  /** Also re-read the events of the last RESTATE_DAYS days so restated prices land (costs API requests). */
  restateEvents?: boolean;
}

export interface CollectSummary {
  runId: string;
  /** Set when another collection held the lock: nothing was collected. */
  skipped?: string;
  members: number;
  dailyRows: number;
  spendRows: number;
  groups: number;
  auditEvents: number;
  analyticsRows: number;
  /** restated: events already stored whose price changed (row updated, the difference pending for the rollups); refused: events quarantined
   * (unparseable, unstorable text, outside the window asked for). */
  events: { fetched: number; inserted: number; restated: number; duplicates: number; refused: number };
  requests: number;
  rateLimited: number;
  durationMs: number;
  errors: { endpoint: Endpoint; message: string }[];
  /** Answers that held more than, or other than, our reading of the docs: once per API endpoint and field. */
  drift: (DriftEntry & { collector: Endpoint })[];
  /** An endpoint failed because the database went away: the pass is worth running again once it is back. */
  databaseLost?: boolean;
}

/** One collection pass in progress: what every endpoint's collector reads and adds to. */
export interface CollectPass {
  deps: CollectDeps;
  trigger: string;
  runId: string;
  /** The pass's clock (ms): every endpoint's window ends here. */
  now: number;
  summary: CollectSummary;
  /** Set once Cursor refuses the Admin API key: the other admin endpoints would only repeat the same 401. */
  keyRefused?: string;
}

export function emptySummary(runId: string): CollectSummary {
  return {
    runId,
    members: 0,
    dailyRows: 0,
    spendRows: 0,
    groups: 0,
    auditEvents: 0,
    analyticsRows: 0,
    events: { fetched: 0, inserted: 0, restated: 0, duplicates: 0, refused: 0 },
    requests: 0,
    rateLimited: 0,
    durationMs: 0,
    errors: [],
    drift: [],
  };
}

export function statsDelta(a: CursorClient['stats'], b: CursorClient['stats']) {
  return { rateLimited: b.rateLimited - a.rateLimited, retries: b.retries - a.retries };
}

/**
 * Runs one endpoint's collection and records it in collection_runs, whatever happens: counters, the drift seen, the
 * watermark `work` returns, or its error (kept in the summary; the other endpoints still run). A refused Admin API
 * key is said once and skips the admin endpoints after it.
 */
export async function recordRun(
  pass: CollectPass,
  endpoint: Endpoint,
  window: { start?: number; end?: number },
  work: (c: RunCounters) => Promise<Date | null | void>,
): Promise<void> {
  const { db, client, log, signal } = pass.deps;
  const { keyRefused } = pass;
  if (keyRefused && endpoint !== 'analytics') work = async () => Promise.reject(new Error(keyRefused));
  const t0 = Date.now();
  const statsBefore = { ...client.stats };
  client.drift.drain(); // drift belongs to the endpoint run that saw it
  const c: RunCounters = { pages: 0, rowsFetched: 0, rowsNew: 0, rowsUpdated: 0, rateLimited: 0, retries: 0 };
  const id = await startRun(db, {
    runId: pass.runId,
    endpoint,
    trigger: pass.trigger,
    windowStart: window.start !== undefined ? new Date(window.start) : undefined,
    windowEnd: window.end !== undefined ? new Date(window.end) : undefined,
  });
  const takeDrift = () => {
    const drift = client.drift.drain();
    pass.summary.drift.push(...drift.map((d) => ({ ...d, collector: endpoint })));
    for (const d of drift)
      log.warn(
        { endpoint: d.endpoint, field: d.field, kind: d.kind, example: d.example, seen: d.count },
        'Cursor API schema drift: answer differs from the documented shape (collected anyway)',
      );
    return drift;
  };
  try {
    const watermark = await work(c);
    Object.assign(c, statsDelta(statsBefore, client.stats));
    await finishRun(db, id, t0, c, { watermark: watermark ?? null, drift: takeDrift() });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    Object.assign(c, statsDelta(statsBefore, client.stats));
    await finishRun(db, id, t0, c, { error: message, drift: takeDrift() }).catch(() => {});
    pass.summary.errors.push({ endpoint, message });
    if (isConnectionError(err)) {
      // Not the endpoint's failure: the worker waits for the database and runs the pass again (resumeAfterDatabaseLoss),
      // and a one-off `collect` reports it in its summary and exit code.
      pass.summary.databaseLost = true;
      log.warn({ endpoint, err: message }, 'the database went away during the collection of an endpoint');
    } else if (pass.keyRefused) {
      // already said once
    } else if (
      err instanceof CursorApiError &&
      (err.status === 401 || err.status === 403) &&
      endpoint !== 'analytics'
    ) {
      pass.keyRefused = `skipped: Cursor refused the Admin API key (HTTP ${err.status})`;
      log.error(
        { endpoint, status: err.status },
        `Cursor refused the Admin API key in CURSOR_ADMIN_API_KEY (HTTP ${err.status}); the other endpoints are skipped. ${ADMIN_KEY_HELP}.`,
      );
    } else log.error({ endpoint, err: message }, 'collection of an endpoint failed');
    if (signal?.aborted) throw err;
  }
}
