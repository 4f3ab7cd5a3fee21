import { PgBoss } from 'pg-boss';
import type { Logger } from '../config/log';

/** Every queue the worker uses; created at boot. */
export const QUEUES = {
  collect: 'collect',
  detect: 'detect',
  notify: 'notify',
  digest: 'digest',
} as const;

/**
 * The one place that owns the pg-boss instance. `exclusive` keeps at most one collection or detection queued
 * or running across every worker process, so duplicate triggers are harmless.
 */
export async function startBoss(connectionString: string, log: Logger): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString, application_name: 'cursor-cost-watch' });
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  await boss.start();
  await boss.createQueue(QUEUES.collect, { policy: 'exclusive', retryLimit: 3, retryDelay: 60, retryBackoff: true, expireInSeconds: 3600 });
  await boss.createQueue(QUEUES.detect, { policy: 'exclusive', retryLimit: 2, retryDelay: 30, expireInSeconds: 900 });
  await boss.createQueue(QUEUES.notify, { policy: 'standard', retryLimit: 10, retryDelay: 15, retryBackoff: true, retryDelayMax: 900 });
  await boss.createQueue(QUEUES.digest, { policy: 'exclusive', retryLimit: 5, retryDelay: 60, retryBackoff: true });
  return boss;
}
