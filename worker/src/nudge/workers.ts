import type { JobWithMetadata, PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Logger } from '../config/log';
import type { Db } from '../db/database';
import { resumeAfterDatabaseLoss } from '../db/reconnect';
import type { NotificationPolicy } from '../notify';
import { QUEUES } from '../queue/boss';
import { getSettings } from '../settings';
import { runNudgeCheck } from './check';
import { deliverNudge } from './deliver';
import type { NudgeJobData } from './run';

export interface NudgeWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  loadSettings?: () => Promise<NotificationPolicy>;
  pollingIntervalSeconds?: number;
  /** The clock deliveries stamp sent_at with; tests pin it. */
  now?: () => Date;
  /** When the nudge check runs (hourly by default); null: not scheduled (tests call runNudgeCheck). */
  checkCron?: string | null;
}

/** Sends queued nudges (QUEUES.nudge, retried with backoff) and runs the hourly nudge check (QUEUES.nudgeCheck). */
export async function registerNudgeWorkers(boss: PgBoss, deps: NudgeWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  const loadSettings = deps.loadSettings ?? (() => getSettings(db));
  const pollingIntervalSeconds = deps.pollingIntervalSeconds ?? 2;

  await boss.work<NudgeJobData, void, { batchSize: 1; includeMetadata: true; pollingIntervalSeconds: number }>(
    QUEUES.nudge,
    { batchSize: 1, includeMetadata: true, pollingIntervalSeconds },
    async (jobs: JobWithMetadata<NudgeJobData>[]) => {
      for (const job of jobs) {
        const id = Number(job.data?.nudgeId);
        if (!Number.isSafeInteger(id)) {
          log.error({ job: job.id, data: job.data }, 'nudge job without a nudgeId: dropped');
          continue;
        }
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
      }
    },
  );

  await boss.work(QUEUES.nudgeCheck, { batchSize: 1, pollingIntervalSeconds }, async () => {
    const r = await runNudgeCheck(db, boss, await loadSettings(), config);
    if (r.requeued.length + r.decided.escalated.length + r.decided.fixed.length + r.released.length > 0)
      log.info(r, 'nudge check');
  });

  if (deps.checkCron !== null)
    await boss.schedule(QUEUES.nudgeCheck, deps.checkCron ?? '15 * * * *', {}, { tz: 'UTC' });
}
