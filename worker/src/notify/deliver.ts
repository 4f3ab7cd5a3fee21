import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { markIncidentsAlerted } from '../incidents';
import { deliverFromOutbox, type SENT_UNRECORDED } from './outbox';
import { sendOn } from './render';

export type DeliveryOutcome = 'sent' | typeof SENT_UNRECORDED | 'already_sent' | 'missing';

/**
 * Sends one stored notification once (outbox.ts: locked, status checked, a failure recorded and rethrown for pg-boss
 * to retry with backoff). On the last attempt the row is marked failed, and the sweep picks it up again later, so
 * nothing is lost.
 */
export async function deliverNotification(
  db: Db,
  config: Config,
  notificationId: number,
  { finalAttempt = false, now = () => new Date() }: { finalAttempt?: boolean; now?: () => Date } = {},
): Promise<DeliveryOutcome> {
  return deliverFromOutbox<'notifications', never>(
    db,
    'notifications',
    notificationId,
    { finalAttempt, now },
    {
      send: (row) => sendOn(config, row.channel, row.payload),
      afterSent: async (tx, row, at) => {
        if (row.kind !== 'test') await markIncidentsAlerted(tx, row.incident_ids, row.channel, row.id, at);
      },
    },
  );
}
