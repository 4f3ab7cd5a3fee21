import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import { formatOf, type Logger } from '../../config/log';
import { collectOnce, formatSummary } from '../../collector/collect';
import { dropExpiredEventPartitions } from '../../collector/retention';
import type { CursorClient } from '../../cursor/client';
import type { Db } from '../../db/database';
import { resumeAfterDatabaseLoss } from '../../db/reconnect';
import { withLeanHeap } from '../lean-heap';
import type { SeriesWarmUp } from '../series-warm-up';
import { defineQueue } from './define';
import { detectQueue } from './detect';

/** Days of history a first-run backfill replays through detection (past days notify nobody). */
export const BACKFILL_REPLAY_DAYS = 14;

/**
 * `exclusive` keeps at most one collection queued or running across every worker process, so duplicate triggers
 * are harmless. Heartbeats let a job whose worker died be failed and retried within a couple of heartbeats, instead
 * of blocking the exclusive queue until a long expiry; the expiry itself only bounds a hung run (a first backfill at
 * Cursor's 20 requests a minute can take hours).
 */
export const collectQueue = defineQueue(
  'collect',
  z.object({
    /** schedule, backfill, restate, manual… (logged, and a backfill replays detection). */
    trigger: z.string().min(1).default('schedule'),
    /** Re-read the last RESTATE_DAYS days of events (RESTATE_EVENTS_CRON), so restated prices land. */
    restateEvents: z.boolean().optional(),
  }),
  (h) => ({
    policy: 'exclusive',
    retryLimit: 3,
    retryDelay: h,
    retryBackoff: true,
    expireInSeconds: 6 * 3600,
    heartbeatSeconds: h,
  }),
);
export type CollectJob = z.input<typeof collectQueue.payload>;

export interface CollectWorkerDeps {
  db: Db;
  client: CursorClient;
  log: Logger;
  config: Config;
  signal: AbortSignal;
  /** Detection's series cache being filled at start (startSeriesWarmUp): a collection waits for it to end. */
  warmUp?: Pick<SeriesWarmUp, 'ended' | 'wait'>;
}

/** One collection per job; detection is queued on what was stored, even after a partial failure. */
export async function registerCollectWorker(boss: PgBoss, deps: CollectWorkerDeps): Promise<void> {
  const { db, client, log, config, signal, warmUp } = deps;
  await collectQueue.work(boss, { pollingIntervalSeconds: 2 }, async ({ trigger, restateEvents }, job) => {
    // pg-boss aborts job.signal when the job is no longer this worker's (cancelled, expired, retried elsewhere): a
    // collection whose result can no longer land stops there, as at shutdown, instead of running on (with the
    // collection's heap growth) until its own end.
    const stop = AbortSignal.any([signal, job.signal]);
    // Never both in one process: the warm-up holds what a detection pass holds, and a collection's memory would add
    // to it (a restart just before the hourly collection, a retried job). It takes seconds; a collection, minutes.
    if (warmUp && !warmUp.ended()) {
      log.info({ trigger, job: job.id }, 'collection waits for detection to fill its series cache');
      await warmUp.wait(stop);
      // Shut down or taken from this worker meanwhile: nothing was collected, the next run collects from the watermark.
      if (stop.aborted) return;
    }
    log.info({ trigger, job: job.id }, 'collection started');
    // A PostgreSQL restart mid-pass: wait for it with backoff and collect again from the watermark.
    // With V8's heap growth fixed at ×2 while it runs: a backfill's peak RSS otherwise swings by 100 MiB (lean-heap.ts).
    const summary = await withLeanHeap(() =>
      resumeAfterDatabaseLoss(
        'collection',
        () =>
          collectOnce({ db, client, log, config, signal: stop }, { trigger, restateEvents: restateEvents === true }),
        { db, log, signal: stop, lost: (s) => s.databaseLost === true },
      ),
    );
    // The message says it all for a person; JSON logs keep the counts as fields.
    log.info(formatOf(log) === 'pretty' ? {} : { summary }, `collection finished: ${formatSummary(summary)}`);
    await dropExpiredEventPartitions(db, new Date(), config.EVENT_RETENTION_MONTHS).then(
      (dropped) => dropped.length > 0 && log.info({ dropped }, 'usage event partitions past retention dropped'),
      (err: unknown) => log.warn({ err }, 'dropping usage event partitions past retention failed; next run retries'),
    );
    // Detection runs on what was stored, even after a partial failure; the failure then retries the job.
    const replayDays = trigger === 'backfill' ? Math.min(BACKFILL_REPLAY_DAYS, config.BACKFILL_DAYS) : 0;
    const report = summary.skipped ? {} : { collectRunId: summary.runId, collectTrigger: trigger };
    await detectQueue.send(boss, { trigger: 'collect', replayDays, ...report });
    // Events are the data everything else stands on: their failure retries the job (after a backoff; the retry
    // resumes from the watermark). Other endpoints' failures are recorded and retried by the next hourly run.
    const eventsFailed = summary.errors.find((e) => e.endpoint === 'usage_events');
    if (eventsFailed) throw new Error(`usage events not collected: ${eventsFailed.message}`);
  });
}
