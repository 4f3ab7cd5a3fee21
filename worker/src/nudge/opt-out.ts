import type { NudgeStatus } from '@cursor-cost-watch/contract';
import type { DbOrTx } from '../db/database';
import type { NudgePolicy } from './policy';

const RECENT = 10;

/** Whether the developer opted out of nudges, with who and when, and their latest nudges. */
export async function nudgeStatus(db: DbOrTx, rawEmail: string, policy: NudgePolicy): Promise<NudgeStatus> {
  const email = rawEmail.trim().toLowerCase();
  const [opt, recent] = await Promise.all([
    db.selectFrom('nudge_opt_outs').selectAll().where('email', '=', email).executeTakeFirst(),
    db
      .selectFrom('nudges as n')
      .innerJoin('incidents as i', 'i.id', 'n.incident_id')
      .select(['n.incident_id', 'i.detector', 'n.status', 'n.skip_reason', 'n.created_at', 'n.sent_at', 'n.outcome'])
      .where('n.email', '=', email)
      .orderBy('n.id', 'desc')
      .limit(RECENT)
      .execute(),
  ]);
  return {
    email,
    optedOut: opt !== undefined,
    reason: opt ? opt.reason : null,
    changedBy: opt ? opt.created_by : null,
    changedAt: opt ? opt.created_at.toISOString() : null,
    policyDetectors: [...policy.nudgeDetectors],
    dailyCap: policy.nudgeDailyCapPerDeveloper,
    recent: recent.map((r) => ({
      incidentId: r.incident_id,
      detector: r.detector,
      status: r.status,
      skipReason: r.skip_reason,
      createdAt: r.created_at.toISOString(),
      sentAt: r.sent_at ? r.sent_at.toISOString() : null,
      outcome: r.outcome,
    })),
  };
}

/**
 * Opts a developer out of nudges (their anomalies go to the team channels as before) or back in. Setting the state
 * it already has changes nothing; who opted them out and when stays as first recorded. The API audits the call.
 */
export async function setNudgeOptOut(
  db: DbOrTx,
  rawEmail: string,
  { optedOut, reason }: { optedOut: boolean; reason?: string },
  actor: string,
  now: Date,
): Promise<void> {
  const email = rawEmail.trim().toLowerCase();
  if (optedOut) {
    await db
      .insertInto('nudge_opt_outs')
      .values({ email, reason: reason ?? '', created_by: actor, created_at: now })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
  } else {
    await db.deleteFrom('nudge_opt_outs').where('email', '=', email).execute();
  }
}
