import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/log';
import type { Db } from '../../db/database';
import type { NotificationPolicy } from '../../notify/channels';
import { runDigest } from '../../notify/digest';
import { requeueUnsent } from '../../notify/sweep';
import { getSettings } from '../../settings';
import { defineQueue } from './define';

/** The hourly digest run (it sends from the configured hour on, once a day) and the sweep of unsent notifications. */
export const digestQueue = defineQueue('digest', z.object({}), () => ({
  policy: 'exclusive',
  retryLimit: 5,
  retryDelay: 60,
  retryBackoff: true,
}));

export interface DigestWorkerDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** Current settings; read on every run so a change applies without a restart. */
  loadSettings?: () => Promise<NotificationPolicy>;
  pollingIntervalSeconds?: number;
  /** When the digest job runs: hourly by default; null: not scheduled. */
  cron?: string | null;
}

export async function registerDigestWorker(boss: PgBoss, deps: DigestWorkerDeps): Promise<void> {
  const { db, config, log } = deps;
  const loadSettings = deps.loadSettings ?? (() => getSettings(db));
  await digestQueue.work(boss, { pollingIntervalSeconds: deps.pollingIntervalSeconds ?? 2 }, async () => {
    const requeued = await requeueUnsent(db, boss);
    if (requeued.length > 0) log.info({ requeued }, 'requeued unsent notifications');
    const queued = await runDigest(db, boss, await loadSettings(), config);
    if (queued.length > 0) log.info({ queued }, 'daily digest queued');
  });
  if (deps.cron !== null) await digestQueue.schedule(boss, deps.cron ?? '5 * * * *', {});
}
