import { DAY_MS } from '@cursor-cost-watch/contract';
import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/database';
import { notifyQueue } from '../jobs/queues/notify';

/**
 * Puts back on the queue every notification that is not sent and has no live job: those pg-boss gave up on
 * (status failed) and those whose job was never queued (the process stopped between commit and send). A stale
 * pending row might still have a job waiting; a duplicate job is harmless because delivery checks the row first.
 */
export async function requeueUnsent(
  db: Db,
  boss: PgBoss,
  { olderThanMinutes = 30, maxAgeDays = 7, now = new Date() } = {},
): Promise<number[]> {
  const cutoff = new Date(now.getTime() - olderThanMinutes * 60_000);
  // A pending row that has been tried but is older than the whole retry schedule lost its job (the process died
  // mid-send, the job expired): put it back too.
  const retriesOver = new Date(now.getTime() - 6 * 3_600_000);
  const oldest = new Date(now.getTime() - maxAgeDays * DAY_MS); // a week-old alert is history, not news
  const rows = await db
    .updateTable('notifications')
    .set({ status: 'pending' })
    .where('created_at', '>=', oldest)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'failed'),
        eb.and([eb('status', '=', 'pending'), eb('attempts', '=', 0), eb('created_at', '<', cutoff)]),
        eb.and([eb('status', '=', 'pending'), eb('attempts', '>', 0), eb('created_at', '<', retriesOver)]),
      ]),
    )
    .returning('id')
    .execute();
  for (const r of rows) await notifyQueue.send(boss, { notificationId: r.id });
  return rows.map((r) => r.id);
}
