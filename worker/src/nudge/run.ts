import type { PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { enqueueNotifications, type NotificationPolicy, type Queued } from '../notify';
import { nudgeQueue } from '../jobs/queues/nudge';
import { createNudges, type CreatedNudges } from './create';
import { decideNudges, type NudgeDecisions } from './decide';
import { type NudgePolicy } from './policy';
import { DAY_MS } from '@cursor-cost-watch/contract';

export interface NudgeRunResult {
  created: CreatedNudges;
  decided: NudgeDecisions;
  /** Channel messages queued for incidents released from a nudge (escalated, or skipped at delivery). */
  released: Queued[];
}

const RELEASE_LOOKBACK_DAYS = 7;

/**
 * Queues the team channels' messages for the incidents a nudge no longer holds back: escalated ones, and those
 * whose nudge was skipped (the developer opted out before it went). enqueueNotifications sends each incident once
 * per channel and severity, so calling this again (a retry, the next hour) sends nothing twice; it also covers a
 * crash between deciding an escalation and queueing its messages.
 */
export async function releaseToChannels(
  db: Db,
  boss: PgBoss,
  settings: NotificationPolicy,
  config: Config,
  now: Date,
): Promise<Queued[]> {
  const rows = await db
    .selectFrom('nudges as n')
    .innerJoin('incidents as i', 'i.id', 'n.incident_id')
    .select('i.id')
    .where((eb) => eb.or([eb('n.escalated_at', 'is not', null), eb('n.status', '=', 'skipped')]))
    .where('n.decided_at', '>=', new Date(now.getTime() - RELEASE_LOOKBACK_DAYS * DAY_MS))
    .where('i.status', '<>', 'resolved')
    .orderBy('i.id')
    .execute();
  return enqueueNotifications(
    db,
    boss,
    rows.map((r) => r.id),
    settings,
    config,
    now,
  );
}

/**
 * The nudge policy's part of a detection pass, run after the incidents are recorded and before the team channels
 * are told: nudges for the new incidents of the detectors under the policy, then the decisions due (escalate, or
 * resolve as fixed after nudge), then the messages for what was released.
 */
export async function runNudgePolicy(
  { db, boss, config }: { db: Db; boss: PgBoss; config: Config },
  incidentIds: number[],
  settings: NudgePolicy & NotificationPolicy,
  now: Date,
): Promise<NudgeRunResult> {
  const created = await createNudges(db, incidentIds, settings, config, now);
  // After commit: a lost send is picked up by the hourly check's requeue (sweep.ts).
  for (const id of created.queued) await nudgeQueue.send(boss, { nudgeId: id });
  const decided = await decideNudges(db, now);
  const released = await releaseToChannels(db, boss, settings, config, now);
  return { created, decided, released };
}
