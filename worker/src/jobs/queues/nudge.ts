import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import { resumeAfterDatabaseLoss } from '../../db/reconnect';
import { deliverNudge } from '../../nudge/deliver';
import { defineQueue } from './define';

/** One personal nudge to send; it retries like a notification, the hourly check decides escalations. */
export const nudgeQueue = defineQueue(
  'nudge',
  // The job carries only the id; the nudges row carries the email.
  z.object({ nudgeId: z.number().int().positive() }),
  () => ({ policy: 'standard', retryLimit: 10, retryDelay: 15, retryBackoff: true, retryDelayMax: 900 }),
);
export type NudgeJob = z.input<typeof nudgeQueue.payload>;

export interface NudgeWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  pollingIntervalSeconds?: number;
  /** The clock deliveries stamp sent_at with; tests pin it. */
  now?: () => Date;
}

export async function registerNudgeWorker(boss: PgBoss, deps: NudgeWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  await nudgeQueue.work(
    boss,
    { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 },
    async ({ nudgeId: id }, job) => {
      try {
        const outcome = await resumeAfterDatabaseLoss(
          'nudge delivery',
          () => deliverNudge(db, config, id, { finalAttempt: job.retryCount >= job.retryLimit, now: deps.now }),
          { db, log, attempts: 3 },
        );
        log.info({ nudgeId: id, outcome, attempt: job.retryCount + 1 }, 'nudge delivery');
      } catch (err) {
        log.warn(
          { nudgeId: id, attempt: job.retryCount + 1, err: err instanceof Error ? err.message : String(err) },
          'nudge not delivered; will retry',
        );
        throw err;
      }
    },
  );
}
