import type { PgBoss } from 'pg-boss';
import type { Db } from '../db/database';
import { nudgeQueue } from '../jobs/queues/nudge';

/**
 * Puts back on the queue the nudges still pending with no live job (the process stopped between storing and
 * queueing, or mid-send); as notify/sweep.ts does for notifications. A duplicate job is harmless: delivery checks the
 * row first. Failed nudges are not retried here: the check escalates them to the team instead.
 */
export async function requeueUnsentNudges(
  db: Db,
  boss: PgBoss,
  { olderThanMinutes = 30, now = new Date() } = {},
): Promise<number[]> {
  const cutoff = new Date(now.getTime() - olderThanMinutes * 60_000);
  const retriesOver = new Date(now.getTime() - 6 * 3_600_000);
  const rows = await db
    .selectFrom('nudges')
    .select('id')
    .where('status', '=', 'pending')
    .where('outcome', 'is', null)
    .where('escalated_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('attempts', '=', 0), eb('created_at', '<', cutoff)]),
        eb.and([eb('attempts', '>', 0), eb('created_at', '<', retriesOver)]),
      ]),
    )
    .orderBy('id')
    .execute();
  for (const r of rows) await nudgeQueue.send(boss, { nudgeId: r.id });
  return rows.map((r) => r.id);
}
