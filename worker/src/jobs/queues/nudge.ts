import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import { deliverNudge } from '../../nudge/deliver';
import { defineQueue } from './define';
import { registerDelivery } from './shared';

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
  await registerDelivery(
    boss,
    nudgeQueue,
    { db, log, what: 'nudge', idOf: (p) => p.nudgeId, pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 },
    (id, finalAttempt) => deliverNudge(db, config, id, { finalAttempt, now: deps.now }),
  );
}
