import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { runNudgeCheck } from '../../nudge/check';
import { getSettings } from '../../settings';
import { defineQueue } from './define';
import { registerHourly, type HourlyWorkerDeps } from './shared';

/** The hourly nudge check: requeues lost nudges, escalates or closes the ones due (worker/src/nudge/check.ts). */
export const nudgeCheckQueue = defineQueue('nudge_check', z.object({}), () => ({
  policy: 'exclusive',
  retryLimit: 5,
  retryDelay: 60,
  retryBackoff: true,
}));

export async function registerNudgeCheckWorker(boss: PgBoss, deps: HourlyWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  const loadSettings = deps.loadSettings ?? (() => getSettings(db));
  await registerHourly(boss, nudgeCheckQueue, deps, '15 * * * *', async () => {
    const r = await runNudgeCheck(db, boss, await loadSettings(), config);
    if (r.requeued.length + r.decided.escalated.length + r.decided.fixed.length + r.released.length > 0)
      log.info(r, 'nudge check');
  });
}
