import type { PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import type { NotificationPolicy, Queued } from '../notify';
import { decideNudges, type NudgeDecisions } from './decide';
import { releaseToChannels } from './run';
import { requeueUnsentNudges } from './sweep';

/**
 * The hourly nudge check (QUEUES.nudgeCheck): requeues lost nudges, settles the ones due, and queues the team
 * channels' messages for what it released. Escalation does not wait for a detection pass: if collection is down,
 * an undecided nudge still escalates on time.
 */
export async function runNudgeCheck(
  db: Db,
  boss: PgBoss,
  settings: NotificationPolicy,
  config: Config,
  now = new Date(),
): Promise<{ requeued: number[]; decided: NudgeDecisions; released: Queued[] }> {
  const requeued = await requeueUnsentNudges(db, boss, { now });
  const decided = await decideNudges(db, now);
  const released = await releaseToChannels(db, boss, settings, config, now);
  return { requeued, decided, released };
}
