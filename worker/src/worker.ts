import type { Runtime } from './cli/bootstrap';
import { getWatermark } from './collector/runs';
import {
  collectQueue,
  registerCollectWorker,
  registerDetectWorker,
  registerDigestWorker,
  registerNotifyWorker,
  registerNudgeCheckWorker,
  registerNudgeWorker,
} from './jobs/queues';
import { startSeriesWarmUp } from './jobs/series-warm-up';
import { exposedGc } from './jobs/release-heap';

export interface WorkerService {
  stop(): Promise<void>;
}

/**
 * The long-running worker: every queue's worker (jobs/queues/), an hourly (COLLECT_CRON) collection on the
 * `exclusive` collect queue, so several worker processes still collect each window once, and a first-run backfill.
 * Each collection queues detection; detection queues notifications and nudges.
 */
export async function startWorkerService(rt: Runtime): Promise<WorkerService> {
  const { boss, db, client, log, config } = rt;
  if (!boss || !client) throw new Error('startWorkerService needs a runtime opened with boss and cursor');
  const shutdown = new AbortController();
  const signal = shutdown.signal;

  await registerNotifyWorker(boss, { db, config, log });
  await registerDigestWorker(boss, { db, config, log });
  await registerNudgeWorker(boss, { db, config, log });
  await registerNudgeCheckWorker(boss, { db, config, log });
  // Before the collect worker: a collection that comes in the first seconds waits for the warm-up to end.
  const warmUp = startSeriesWarmUp({ db, log, signal });
  if (exposedGc() === null)
    log.info(
      'node runs without --expose-gc: the heap V8 no longer uses is not given back after detection passes (npm start and the Dockerfile run node with it)',
    );
  await registerCollectWorker(boss, { db, client, log, config, signal, warmUp });
  await registerDetectWorker(boss, { db, config, log, signal, warmUp });

  await collectQueue.schedule(boss, config.COLLECT_CRON, { trigger: 'schedule' });
  // Restated prices: once a day by default, because re-reading two days of events costs about two days' worth of
  // event pages (README, RESTATE_EVENTS_CRON).
  await collectQueue.schedule(
    boss,
    config.RESTATE_EVENTS_CRON,
    { trigger: 'restate', restateEvents: true },
    { key: 'restate' },
  );
  if (!(await getWatermark(db, 'usage_events'))) {
    log.info({ days: config.BACKFILL_DAYS }, 'no data collected yet: queueing the first-run backfill');
    await collectQueue.send(boss, { trigger: 'backfill' });
  }

  return {
    async stop() {
      shutdown.abort(new Error('worker shutting down'));
    },
  };
}
