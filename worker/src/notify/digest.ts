import type { PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { CHANNELS, channelMode, missingChannelConfig, type NotificationPolicy } from './channels';
import { notifyQueue } from '../jobs/queues/notify';
import type { Queued } from './enqueue';
import { lockChannel, unannounced } from './pending';
import { insertNotification } from './queue-message';

const LOOKBACK_MS = 7 * 24 * 3600_000;

/**
 * Once a day, from `digestHourUtc` on, queues one digest per channel in digest mode with every incident of the
 * last week not yet announced there (resolved ones included: the digest is the record). Runs hourly; the
 * per-day dedupe key makes later runs that day no-ops, and a worker that was down at the hour catches up.
 */
export async function runDigest(
  db: Db,
  boss: PgBoss,
  settings: NotificationPolicy,
  config: Config,
  now = new Date(),
): Promise<Queued[]> {
  const queued: Queued[] = [];
  if (now.getUTCHours() < settings.digestHourUtc) return queued;
  const day = now.toISOString().slice(0, 10);
  for (const channel of CHANNELS) {
    if (channelMode(settings, channel) !== 'digest' || missingChannelConfig(config, channel)) continue;
    const key = `digest:${channel}:${day}`;
    const q = await db.transaction().execute(async (tx) => {
      await lockChannel(tx, channel);
      const done = await tx.selectFrom('notifications').select('id').where('dedupe_key', '=', key).executeTakeFirst();
      if (done) return null;
      const notices = await unannounced(
        tx,
        channel,
        { detectedSince: new Date(now.getTime() - LOOKBACK_MS) },
        settings.notifyMinSeverity,
        config,
      );
      if (notices.length === 0) return null;
      const id = await insertNotification(tx, { channel, kind: 'digest', key, notices, now });
      return id === null ? null : { channel, notificationId: id, incidentIds: notices.map((n) => n.id) };
    });
    if (!q) continue;
    await notifyQueue.send(boss, { notificationId: q.notificationId });
    queued.push(q);
  }
  return queued;
}
