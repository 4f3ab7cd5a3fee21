import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import { resumeAfterDatabaseLoss } from '../../db/reconnect';
import { logRunReport } from '../../report/log-report';
import { withOwnHeapGrowth } from '../lean-heap';
import { idleHeapReleaser, type ReleaseHeap } from '../release-heap';
import { runDetectionJob } from '../catch-up-detection';
import { defineQueue } from './define';
import type { SeriesWarmUp } from '../series-warm-up';

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
  /** The process's series cache, filled at start (startSeriesWarmUp). */
  warmUp: SeriesWarmUp;
  /** After each job's passes (default idleHeapReleaser, release-heap.ts; tests count its calls). */
  releaseHeap?: ReleaseHeap;
}

/**
 * One detection pass per job, after the days it missed (a worker that was down: days with no mark in detection_days)
 * and a backfill's past days (catch-up-detection.ts), then the run's summary block. Today's passes of this process share
 * the series `warmUp` fills at start: each re-reads only the days collections changed since the last; a job that
 * comes before the warm-up has ended waits for it.
 */
export async function registerDetectWorker(boss: PgBoss, deps: DetectWorkerDeps): Promise<void> {
  const { db, config, log, signal, warmUp, releaseHeap = idleHeapReleaser(log) } = deps;
  const { seriesCache } = warmUp;
  await detectQueue.work(boss, { pollingIntervalSeconds: 2 }, async (job) => {
    await warmUp.wait(signal);
    // Each pass upserts its incidents, so running it again after a lost database opens nothing twice.
    // With V8's own heap growth even while a collection runs (lean-heap.ts): detection's heap is the large one.
    try {
      await withOwnHeapGrowth(() =>
        resumeAfterDatabaseLoss(
          'detection',
          () => runDetectionJob({ db, boss, config, log, seriesCache }, { replayDays: job.replayDays ?? 0 }),
          { db, log, signal },
        ),
      );
    } finally {
      // What the job's passes left (garbage, V8's pooled pages) stays resident until a memory-reducing collection
      // (release-heap.ts), and the next pass would peak that much higher. Once per job: a backfill's replayed passes
      // share one release.
      if (!signal.aborted) releaseHeap('detection pass');
    }
    if (job.collectRunId)
      await logRunReport({ db, log, config }, { runId: job.collectRunId, trigger: job.collectTrigger ?? 'schedule' });
  });
}
