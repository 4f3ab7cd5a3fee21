import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import type { NotificationPolicy } from '../../notify/channels';
import { runNudgeCheck } from '../../nudge/check';
import { getSettings } from '../../settings';
import { defineQueue } from './define';

/** The hourly nudge check: requeues lost nudges, escalates or closes the ones due (worker/src/nudge/check.ts). */
export const nudgeCheckQueue = defineQueue('nudge_check', z.object({}), () => ({
  policy: 'exclusive',
  retryLimit: 5,
  retryDelay: 60,
  retryBackoff: true,
}));

export interface NudgeCheckWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  loadSettings?: () => Promise<NotificationPolicy>;
  pollingIntervalSeconds?: number;
  /** When the check runs (hourly by default); null: not scheduled (tests call runNudgeCheck). */
  cron?: string | null;
}

export async function registerNudgeCheckWorker(boss: PgBoss, deps: NudgeCheckWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  const loadSettings = deps.loadSettings ?? (() => getSettings(db));
  await nudgeCheckQueue.work(boss, { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 }, async () => {
    const r = await runNudgeCheck(db, boss, await loadSettings(), config);
    if (r.requeued.length + r.decided.escalated.length + r.decided.fixed.length + r.released.length > 0)
      log.info(r, 'nudge check');
  });
  if (deps.cron !== null) await nudgeCheckQueue.schedule(boss, deps.cron ?? '15 * * * *', {});
}
