import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { markIncidentsAlerted } from '../incidents';
import { sendOn } from './render';

export type DeliveryOutcome = 'sent' | 'already_sent' | 'missing';

/**
 * Sends one stored notification. The row is locked for the whole attempt and its status checked first, so a job
 * that runs twice (two workers, a retry after a send whose completion was lost) sends the message once. A failed
 * attempt is recorded (attempts, last_error) and rethrown for pg-boss to retry with backoff; on the last attempt
 * the row is marked failed, and the sweep picks it up again later, so nothing is lost.
 */
export async function deliverNotification(
  db: Db,
  config: Config,
  notificationId: number,
  { finalAttempt = false, now = () => new Date() }: { finalAttempt?: boolean; now?: () => Date } = {},
): Promise<DeliveryOutcome> {
  const result = await db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', notificationId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { outcome: 'missing' as const };
    if (row.status === 'sent') return { outcome: 'already_sent' as const };
    try {
      await sendOn(config, row.channel, row.payload);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await tx
        .updateTable('notifications')
        .set({
          attempts: row.attempts + 1,
          last_error: message.slice(0, 2000),
          status: finalAttempt ? 'failed' : 'pending',
        })
        .where('id', '=', row.id)
        .execute();
      return { outcome: 'error' as const, error: err };
    }
    const at = now();
    await tx
      .updateTable('notifications')
      .set({ status: 'sent', sent_at: at, attempts: row.attempts + 1, last_error: null })
      .where('id', '=', row.id)
      .execute();
    if (row.kind !== 'test') await markIncidentsAlerted(tx, row.incident_ids, row.channel, row.id, at);
    return { outcome: 'sent' as const };
  });
  if (result.outcome === 'error') throw result.error;
  return result.outcome;
}
