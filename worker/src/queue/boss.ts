import { PgBoss, type Queue } from 'pg-boss';
import { isConnectionError } from '../db/reconnect';
import type { Logger } from '../config/log';

/** Every queue the worker uses; created at boot. */
export const QUEUES = {
  collect: 'collect',
  detect: 'detect',
  notify: 'notify',
  digest: 'digest',
  nudge: 'nudge',
  nudgeCheck: 'nudge_check',
} as const;

type QueueOptions = Omit<Queue, 'name'>;

/**
 * `exclusive` keeps at most one collection (or detection) queued or running across every worker process, so
 * duplicate triggers are harmless. Heartbeats let a job whose worker died be failed and retried within a couple of
 * heartbeats, instead of blocking the exclusive queue until a long expiry; the expiry itself only bounds a hung run
 * (a first backfill at Cursor's 20 requests a minute can take hours).
 */
export function queueOptions(heartbeatSeconds = 60): Record<keyof typeof QUEUES, QueueOptions> {
  const h = heartbeatSeconds;
  return {
    collect: {
      policy: 'exclusive',
      retryLimit: 3,
      retryDelay: h,
      retryBackoff: true,
      expireInSeconds: 6 * 3600,
      heartbeatSeconds: h,
    },
    detect: { policy: 'exclusive', retryLimit: 2, retryDelay: h, expireInSeconds: 1800, heartbeatSeconds: h },
    notify: { policy: 'standard', retryLimit: 10, retryDelay: 15, retryBackoff: true, retryDelayMax: 900 },
    digest: { policy: 'exclusive', retryLimit: 5, retryDelay: 60, retryBackoff: true },
    // A personal nudge retries like a notification; the hourly check decides escalations (worker/src/nudge).
    nudge: { policy: 'standard', retryLimit: 10, retryDelay: 15, retryBackoff: true, retryDelayMax: 900 },
    nudgeCheck: { policy: 'exclusive', retryLimit: 5, retryDelay: 60, retryBackoff: true },
  };
}

/** The one place that owns the pg-boss instance. Queue options are re-applied at every boot so upgrades take effect. */
export async function startBoss(
  connectionString: string,
  log: Logger,
  opts: { heartbeatSeconds?: number } = {},
): Promise<PgBoss> {
  const heartbeatSeconds = opts.heartbeatSeconds ?? 60;
  // The supervisor fails jobs whose heartbeat stopped; it runs as often as a heartbeat is due.
  const boss = new PgBoss({
    connectionString,
    application_name: 'cursor-cost-watch',
    superviseIntervalSeconds: heartbeatSeconds,
  });
  // Message and code only: node-postgres errors carry the whole client (kilobytes of connection state). A lost
  // database makes every queue's poller fail at once until it is back (db/reconnect.ts): one warning per outage.
  let quietUntil = 0;
  boss.on('error', (err: Error & { code?: string }) => {
    const brief = { message: err.message, code: err.code };
    if (!isConnectionError(err)) return log.error({ err: brief }, 'pg-boss error');
    if (Date.now() < quietUntil) return log.debug({ err: brief }, 'pg-boss: database still unreachable');
    quietUntil = Date.now() + 30_000;
    log.warn({ err: brief }, 'pg-boss lost the database: its queues retry until it is back');
  });
  await boss.start();
  const options = queueOptions(heartbeatSeconds);
  for (const [key, name] of Object.entries(QUEUES) as [keyof typeof QUEUES, string][]) {
    const { policy, ...updatable } = options[key];
    if (await boss.getQueue(name)) await boss.updateQueue(name, updatable);
    else await boss.createQueue(name, { policy, ...updatable });
  }
  return boss;
}
