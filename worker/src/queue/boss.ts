import { PgBoss } from 'pg-boss';
import { isConnectionError } from '../db/reconnect';
import type { Logger } from '../config/log';
import { ALL_QUEUES } from '../jobs/queues';

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
  // Each queue's name and options live in its job module (jobs/queues/).
  for (const queue of ALL_QUEUES) {
    const { policy, ...updatable } = queue.options(heartbeatSeconds);
    if (await boss.getQueue(queue.name)) await boss.updateQueue(queue.name, updatable);
    else await boss.createQueue(queue.name, { policy, ...updatable });
  }
  return boss;
}
