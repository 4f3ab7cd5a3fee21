import { DAY_MS } from '@cursor-cost-watch/contract';
import type { Job } from 'pg-boss';
import type { Runtime } from './cli/bootstrap';
import { collectOnce, formatSummary } from './collector/collect';
import { getWatermark } from './collector/runs';
import { formatOf } from './config/log';
import { dropExpiredEventPartitions } from './collector/retention';
import { resumeAfterDatabaseLoss } from './db/reconnect';
import { runDetectionPass } from './jobs/detection-pass';
import { registerNotificationWorkers } from './notify';
import { registerNudgeWorkers } from './nudge';
import { QUEUES } from './queue/boss';
import { logRunReport } from './report/log-report';

export interface CollectJob {
  trigger: string;
  /** Re-read the last RESTATE_DAYS days of events (RESTATE_EVENTS_CRON), so restated prices land. */
  restateEvents?: boolean;
}

export interface DetectJob {
  trigger: string;
  /** After a backfill: evaluate each of the last N days first, so incidents have their history from day one. */
  replayDays?: number;
  /** The collection run this pass follows: its summary block is logged once detection is done. */
  collectRunId?: string;
  collectTrigger?: string;
}

/** Days of history a first-run backfill replays through detection (past days notify nobody). */
export const BACKFILL_REPLAY_DAYS = 14;

export interface WorkerService {
  stop(): Promise<void>;
}

/**
 * The long-running worker: an hourly (COLLECT_CRON) collection on the `exclusive` collect queue, so several worker
 * processes still collect each window once; a first-run backfill; detection enqueued after each collection.
 */
export async function startWorkerService(
  rt: Runtime,
  hooks: { afterCollect?: (rt: Runtime) => Promise<void> } = {},
): Promise<WorkerService> {
  const { boss, db, client, log, config } = rt;
  if (!boss || !client) throw new Error('startWorkerService needs a runtime opened with boss and cursor');
  const shutdown = new AbortController();

  await registerNotificationWorkers(boss, { db, config, log });
  await registerNudgeWorkers(boss, { db, config, log });

  await boss.work<CollectJob>(
    QUEUES.collect,
    { batchSize: 1, pollingIntervalSeconds: 2 },
    async (jobs: Job<CollectJob>[]) => {
      for (const job of jobs) {
        const trigger = job.data?.trigger ?? 'schedule';
        log.info({ trigger, job: job.id }, 'collection started');
        // A PostgreSQL restart mid-pass: wait for it with backoff and collect again from the watermark.
        const summary = await resumeAfterDatabaseLoss(
          'collection',
          () =>
            collectOnce(
              { db, client, log, config, signal: shutdown.signal },
              { trigger, restateEvents: job.data?.restateEvents === true },
            ),
          { db, log, signal: shutdown.signal, lost: (s) => s.databaseLost === true },
        );
        // The message says it all for a person; JSON logs keep the counts as fields.
        log.info(formatOf(log) === 'pretty' ? {} : { summary }, `collection finished: ${formatSummary(summary)}`);
        await dropExpiredEventPartitions(db, new Date(), config.EVENT_RETENTION_MONTHS).then(
          (dropped) => dropped.length > 0 && log.info({ dropped }, 'usage event partitions past retention dropped'),
          (err: unknown) =>
            log.warn({ err }, 'dropping usage event partitions past retention failed; next run retries'),
        );
        // Detection runs on what was stored, even after a partial failure; the failure then retries the job.
        const replayDays = trigger === 'backfill' ? Math.min(BACKFILL_REPLAY_DAYS, config.BACKFILL_DAYS) : 0;
        const report = summary.skipped ? {} : { collectRunId: summary.runId, collectTrigger: trigger };
        await boss.send(QUEUES.detect, { trigger: 'collect', replayDays, ...report } satisfies DetectJob);
        await hooks.afterCollect?.(rt);
        // Events are the data everything else stands on: their failure retries the job (after a backoff; the retry
        // resumes from the watermark). Other endpoints' failures are recorded and retried by the next hourly run.
        const eventsFailed = summary.errors.find((e) => e.endpoint === 'usage_events');
        if (eventsFailed) throw new Error(`usage events not collected: ${eventsFailed.message}`);
      }
    },
  );

  await boss.work<DetectJob>(
    QUEUES.detect,
    { batchSize: 1, pollingIntervalSeconds: 2 },
    async (jobs: Job<DetectJob>[]) => {
      for (const job of jobs) {
        const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
        // Each pass upserts its incidents, so running it again after a lost database opens nothing twice.
        await resumeAfterDatabaseLoss(
          'detection',
          async () => {
            for (let n = job.data?.replayDays ?? 0; n >= 1; n--) {
              const dayEnd = new Date(today - (n - 1) * DAY_MS - 1);
              await runDetectionPass({ db, config, log }, { asOf: dayEnd.toISOString().slice(0, 10), now: dayEnd });
            }
            await runDetectionPass({ db, boss, config, log });
          },
          { db, log, signal: shutdown.signal },
        );
        const runId = job.data?.collectRunId;
        if (runId) await logRunReport({ db, log, config }, { runId, trigger: job.data.collectTrigger ?? 'schedule' });
      }
    },
  );

  await boss.schedule(QUEUES.collect, config.COLLECT_CRON, { trigger: 'schedule' }, { tz: 'UTC' });
  // Restated prices: once a day by default, because re-reading two days of events costs about two days' worth of
  // event pages (README, RESTATE_EVENTS_CRON).
  await boss.schedule(
    QUEUES.collect,
    config.RESTATE_EVENTS_CRON,
    { trigger: 'restate', restateEvents: true } satisfies CollectJob,
    { tz: 'UTC', key: 'restate' },
  );
  if (!(await getWatermark(db, 'usage_events'))) {
    log.info({ days: config.BACKFILL_DAYS }, 'no data collected yet: queueing the first-run backfill');
    await boss.send(QUEUES.collect, { trigger: 'backfill' });
  }

  return {
    async stop() {
      shutdown.abort(new Error('worker shutting down'));
    },
  };
}
