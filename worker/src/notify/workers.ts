import type { JobWithMetadata, PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Logger } from '../config/log';
import type { Db } from '../db/database';
import { resumeAfterDatabaseLoss } from '../db/reconnect';
import { QUEUES } from '../queue/boss';
import { getSettings } from '../settings';
import type { NotificationPolicy } from './channels';
import { deliverNotification } from './deliver';
import { runDigest } from './digest';
import type { NotifyJobData } from './enqueue';
import { requeueUnsent } from './sweep';

export interface NotificationWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** Current settings; read on every digest run so a change applies without a restart. */
  loadSettings?: () => Promise<NotificationPolicy>;
  /** How often an idle worker polls the queues (pg-boss minimum 0.5 s). */
  pollingIntervalSeconds?: number;
  /** Deliveries in flight per process: a channel that is down and retrying does not hold up the others. */
  concurrency?: number;
  /** When the digest job runs: hourly by default, it sends only from the configured hour on, once a day. */
  digestCron?: string | null;
}

/**
 * Delivers queued notifications (QUEUES.notify, retried with backoff by the queue's policy) and runs the daily
 * digest plus the sweep that requeues unsent notifications (QUEUES.digest, hourly).
 */
export async function registerNotificationWorkers(boss: PgBoss, deps: NotificationWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  const loadSettings = deps.loadSettings ?? (() => getSettings(db));
  const pollingIntervalSeconds = deps.pollingIntervalSeconds ?? 2;
  const localConcurrency = deps.concurrency ?? 4;

  await boss.work<
    NotifyJobData,
    void,
    { batchSize: 1; includeMetadata: true; pollingIntervalSeconds: number; localConcurrency: number }
  >(
    QUEUES.notify,
    { batchSize: 1, includeMetadata: true, pollingIntervalSeconds, localConcurrency },
    async (jobs: JobWithMetadata<NotifyJobData>[]) => {
      for (const job of jobs) {
        const id = Number(job.data?.notificationId);
        if (!Number.isSafeInteger(id)) {
          log.error({ job: job.id, data: job.data }, 'notify job without a notificationId: dropped');
          continue;
        }
        try {
          const outcome = await resumeAfterDatabaseLoss(
            'notification delivery',
            () => deliverNotification(db, config, id, { finalAttempt: job.retryCount >= job.retryLimit }),
            { db, log, attempts: 3 },
          );
          log.info({ notificationId: id, outcome, attempt: job.retryCount + 1 }, 'notification delivery');
        } catch (err) {
          log.warn(
            { notificationId: id, attempt: job.retryCount + 1, err: err instanceof Error ? err.message : String(err) },
            'notification not delivered; will retry',
          );
          throw err;
        }
      }
    },
  );

  await boss.work(QUEUES.digest, { batchSize: 1, pollingIntervalSeconds }, async () => {
    const requeued = await requeueUnsent(db, boss);
    if (requeued.length > 0) log.info({ requeued }, 'requeued unsent notifications');
    const queued = await runDigest(db, boss, await loadSettings(), config);
    if (queued.length > 0) log.info({ queued }, 'daily digest queued');
  });

  if (deps.digestCron !== null) await boss.schedule(QUEUES.digest, deps.digestCron ?? '5 * * * *', {}, { tz: 'UTC' });
}
