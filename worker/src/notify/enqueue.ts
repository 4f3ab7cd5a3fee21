import type { PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { notifyQueue } from '../jobs/queues/notify';
import { CHANNELS, channelMode, missingChannelConfig, type Channel, type NotificationPolicy } from './channels';
import { lockChannel, unannounced } from './pending';
import { insertNotification } from './queue-message';

export interface Queued {
  channel: Channel;
  notificationId: number;
  incidentIds: number[];
}

/**
 * Queues one grouped message per immediate channel for the incidents not yet announced there at their current
 * severity. Channels in digest mode wait for the digest; unconfigured or "off" channels are skipped. Safe to call
 * again with the same ids (from a re-run or a second worker): nothing is queued twice.
 */
export async function enqueueNotifications(
  db: Db,
  boss: PgBoss,
  incidentIds: number[],
  settings: NotificationPolicy,
  config: Config,
  now = new Date(),
): Promise<Queued[]> {
  const queued: Queued[] = [];
  if (incidentIds.length === 0) return queued;
  for (const channel of CHANNELS) {
    if (channelMode(settings, channel) !== 'immediate' || missingChannelConfig(config, channel)) continue;
    const q = await db.transaction().execute(async (tx) => {
      await lockChannel(tx, channel);
      const notices = await unannounced(tx, channel, { ids: incidentIds }, settings.notifyMinSeverity, config);
      if (notices.length === 0) return null;
      const key = `alert:${channel}:${notices.map((n) => `${n.id}@${n.severity}`).join(',')}`;
      const id = await insertNotification(tx, { channel, kind: 'alert', key, notices, now });
      return id === null ? null : { channel, notificationId: id, incidentIds: notices.map((n) => n.id) };
    });
    if (!q) continue;
    // After commit: if this send is lost, the sweep (sweep.ts) queues the pending row again.
    await notifyQueue.send(boss, { notificationId: q.notificationId });
    queued.push(q);
  }
  return queued;
}
