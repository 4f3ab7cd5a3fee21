import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import { deliverNotification } from '../../notify/deliver';
import { defineQueue } from './define';
import { registerDelivery } from './shared';

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
  await registerDelivery(
    boss,
    notifyQueue,
    { db, log, what: 'notification', idOf: (p) => p.notificationId, ...opts },
    (id, finalAttempt) => deliverNotification(db, config, id, { finalAttempt }),
  );
}
