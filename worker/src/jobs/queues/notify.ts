import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import { resumeAfterDatabaseLoss } from '../../db/reconnect';
import { deliverNotification } from '../../notify/deliver';
import { defineQueue } from './define';

/** One stored notification to deliver; retried with backoff, a channel that is down holds up no other. */
export const notifyQueue = defineQueue(
  'notify',
  // The job carries only the id; the notifications row carries the message.
  z.object({ notificationId: z.number().int().positive() }),
  () => ({ policy: 'standard', retryLimit: 10, retryDelay: 15, retryBackoff: true, retryDelayMax: 900 }),
);
export type NotifyJob = z.input<typeof notifyQueue.payload>;

export interface NotifyWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** How often an idle worker polls the queue (pg-boss minimum 0.5 s). */
  pollingIntervalSeconds?: number;
  /** Deliveries in flight per process: a channel that is down and retrying does not hold up the others. */
  concurrency?: number;
}

export async function registerNotifyWorker(boss: PgBoss, deps: NotifyWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  const opts = { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2, localConcurrency: deps.concurrency ?? 4 };
  await notifyQueue.work(boss, opts, async ({ notificationId: id }, job) => {
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
  });
}
