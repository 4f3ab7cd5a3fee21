import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { runDigest } from '../../notify/digest';
import { requeueUnsent } from '../../notify/sweep';
import { getSettings } from '../../settings';
import { defineQueue } from './define';
import { registerHourly, type HourlyWorkerDeps } from './shared';

/** The hourly digest run (it sends from the configured hour on, once a day) and the sweep of unsent notifications. */
export const digestQueue = defineQueue('digest', z.object({}), () => ({
  policy: 'exclusive',
  retryLimit: 5,
  retryDelay: 60,
  retryBackoff: true,
}));

export async function registerDigestWorker(boss: PgBoss, deps: HourlyWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  const loadSettings = deps.loadSettings ?? (() => getSettings(db));
  await registerHourly(boss, digestQueue, deps, '5 * * * *', async () => {
    const requeued = await requeueUnsent(db, boss);
    if (requeued.length > 0) log.info({ requeued }, 'requeued unsent notifications');
    const queued = await runDigest(db, boss, await loadSettings(), config);
    if (queued.length > 0) log.info({ queued }, 'daily digest queued');
  });
}
