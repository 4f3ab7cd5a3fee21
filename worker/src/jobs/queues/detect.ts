import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import { resumeAfterDatabaseLoss } from '../../db/reconnect';
import { DetectionSeriesCache } from '../../db/repositories/detection-series-cache';
import { logRunReport } from '../../report/log-report';
import { withOwnHeapGrowth } from '../lean-heap';
import { runDetectionPass, warmSeriesCache } from '../detection-pass';
import { replayDetection } from '../replay-detection';
import { defineQueue } from './define';
import { waitAtMost } from '../wait-at-most';

/** `exclusive`: at most one detection pass queued or running across worker processes (see collect.ts). */
export const detectQueue = defineQueue(
  'detect',
  z.object({
    trigger: z.string().min(1),
    /** After a backfill: evaluate each of the last N days first, so incidents have their history from day one. */
    replayDays: z.number().int().min(0).max(366).optional(),
    /** The collection run this pass follows: its summary block is logged once detection is done. */
    collectRunId: z.string().min(1).optional(),
    collectTrigger: z.string().min(1).optional(),
  }),
  (h) => ({ policy: 'exclusive', retryLimit: 2, retryDelay: h, expireInSeconds: 1800, heartbeatSeconds: h }),
);
export type DetectJob = z.input<typeof detectQueue.payload>;

export interface DetectWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  signal: AbortSignal;
}

/** One detection pass per job (after a replay of past days when asked), then the run's summary block. */
export async function registerDetectWorker(boss: PgBoss, deps: DetectWorkerDeps): Promise<void> {
  const { db, config, log, signal } = deps;
  // This process's hourly passes share their series: each re-reads only the days collections changed since the last.
  const seriesCache = new DetectionSeriesCache();
  // Filled at start (the worker collects at start only on a first run, when there is nothing to fill): the first pass,
  // after the next collection, then re-reads only what that collection changed instead of the whole window. A job
  // that comes sooner waits for it (one load at a time), at most WARM_WAIT_MS; a failure only leaves the first pass
  // to read everything.
  const warming = withOwnHeapGrowth(() => warmSeriesCache({ db, seriesCache })).then(
    (ms) => log.info({ ms: Math.round(ms) }, 'detection: series cache filled'),
    (err: unknown) => {
      if (!signal.aborted)
        log.warn({ err }, 'detection: filling the series cache at start failed; the first pass reads all');
    },
  );
  await detectQueue.work(boss, { pollingIntervalSeconds: 2 }, async (job) => {
    const limit = waitAtMost(WARM_WAIT_MS, signal);
    await Promise.race([warming, limit.done]).finally(limit.cancel);
    const now = new Date();
    // Each pass upserts its incidents, so running it again after a lost database opens nothing twice.
    // With V8's own heap growth even while a collection runs (lean-heap.ts): detection's heap is the large one.
    await withOwnHeapGrowth(() =>
      resumeAfterDatabaseLoss(
        'detection',
        async () => {
          await replayDetection({ db, config, log }, { days: job.replayDays ?? 0, now });
          await runDetectionPass({ db, boss, config, log, seriesCache });
        },
        { db, log, signal },
      ),
    );
    if (job.collectRunId)
      await logRunReport({ db, log, config }, { runId: job.collectRunId, trigger: job.collectTrigger ?? 'schedule' });
  });
}

/** How long a detection job waits for the series cache filled at start (4–6 s at 20,000 developers here). */
const WARM_WAIT_MS = 10 * 60_000;
