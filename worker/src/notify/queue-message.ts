import type { Tx } from '../db/database';
import type { Channel } from './channels';
import { buildMessage, type AlertMessage, type IncidentNotice } from './message';
import { renderFor } from './render';

/**
 * Stores one message for `channel` with the incidents it announces. The dedupe key is unique, so a second
 * attempt to queue the same message is a no-op (returns null).
 */
export async function insertNotification(
  tx: Tx,
  {
    channel,
    kind,
    key,
    notices,
    now,
  }: { channel: Channel; kind: AlertMessage['kind']; key: string; notices: IncidentNotice[]; now: Date },
): Promise<number | null> {
  const message = buildMessage(kind, key, notices, now);
  const row = await tx
    .insertInto('notifications')
    .values({
      channel,
      kind,
      incident_ids: notices.map((n) => n.id),
      status: 'pending',
      payload: JSON.stringify(renderFor(channel, message)),
      dedupe_key: key,
      created_at: now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return null;
  if (notices.length > 0) {
    await tx
      .insertInto('notification_incidents')
      .values(notices.map((n) => ({ channel, incident_id: n.id, severity: n.severity, notification_id: row.id })))
      .execute();
  }
  return row.id;
}
