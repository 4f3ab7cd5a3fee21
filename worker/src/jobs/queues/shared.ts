import type { PgBoss } from 'pg-boss';
import type { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import { resumeAfterDatabaseLoss } from '../../db/reconnect';
import type { NotificationPolicy } from '../../notify/channels';
import { SENT_UNRECORDED } from '../../notify/outbox';
import type { QueueDefinition } from './define';

/** What the hourly jobs (digest, nudge check) run with. */
export interface HourlyWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** Current settings; read on every run so a change applies without a restart. */
  loadSettings?: () => Promise<NotificationPolicy>;
  pollingIntervalSeconds?: number;
  /** When the job runs (hourly by default); null: not scheduled (tests run it themselves). */
  cron?: string | null;
}

/** Registers an hourly job's worker and, unless `cron` is null, its schedule (UTC). */
export async function registerHourly<S extends z.ZodType>(
  boss: PgBoss,
  queue: QueueDefinition<S>,
  deps: HourlyWorkerDeps,
  defaultCron: string,
  run: () => Promise<void>,
): Promise<void> {
  await queue.work(boss, { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 }, run);
  if (deps.cron !== null) await queue.schedule(boss, deps.cron ?? defaultCron, {} as z.input<S>); // validated: hourly jobs carry nothing
}

/**
 * A delivery job (a notification, a nudge): the stored row is sent by `deliver`, which survives a short database
 * outage; a failure is logged with the attempt and rethrown, so pg-boss retries with the queue's backoff.
 */
export async function registerDelivery<S extends z.ZodType>(
  boss: PgBoss,
  queue: QueueDefinition<S>,
  {
    db,
    log,
    what,
    idOf,
    ...opts
  }: {
    db: Db;
    log: Logger;
    /** "notification" or "nudge": the log messages and the id's field name (notificationId, nudgeId). */
    what: 'notification' | 'nudge';
    idOf: (payload: z.output<S>) => number;
    pollingIntervalSeconds: number;
    localConcurrency?: number;
  },
  deliver: (id: number, finalAttempt: boolean) => Promise<string>,
): Promise<void> {
  const idKey = `${what}Id`;
  await queue.work(boss, opts, async (payload, job) => {
    const id = idOf(payload);
    const attempt = job.retryCount + 1;
    try {
      const outcome = await resumeAfterDatabaseLoss(
        `${what} delivery`,
        () => deliver(id, job.retryCount >= job.retryLimit),
        { db, log, attempts: 3 },
      );
      if (outcome === SENT_UNRECORDED)
        log.warn({ [idKey]: id, attempt }, `${what} sent, but recording it failed (its last_error says why)`);
      else log.info({ [idKey]: id, outcome, attempt }, `${what} delivery`);
    } catch (err) {
      log.warn(
        { [idKey]: id, attempt, err: err instanceof Error ? err.message : String(err) },
        `${what} not delivered; will retry`,
      );
      throw err;
    }
  });
}
