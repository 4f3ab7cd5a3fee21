import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { NudgeSkipReason } from '@cursor-cost-watch/contract';
import type { Config } from '../config/config';
import type { Db, Tx } from '../db/database';
import { appendIncidentEvent } from '../incidents/events';
import type { IncidentRow } from '../incidents';
import { grafanaLinks } from '../notify/message';
import { anomalyEnded } from './decide';
import { loadNudgeEvidence } from './evidence';
import { escalateAt, nudgeMailReady, RECENT_NUDGE_DAYS, type NudgePolicy } from './policy';
import { renderNudgeEmail } from './render';

export interface CreatedNudges {
  /** Nudges stored as pending, to hand to the nudge queue. */
  queued: number[];
  skipped: { incidentId: number; reason: NudgeSkipReason }[];
}

const dayOf = (d: Date) => toDay(d.getTime());

/**
 * For each new incident of a detector under the policy: stores the developer's personal email as a pending nudge
 * (the outbox row its job sends), or a skipped nudge with the reason, so the team channels hear about it as usual.
 * An incident already nudged, or already announced on a channel (it predates the policy), is left alone, so a
 * re-run or a second worker stores nothing twice (nudges.incident_id is unique as well).
 */
export async function createNudges(
  db: Db,
  incidentIds: number[],
  policy: NudgePolicy,
  config: Config,
  now: Date,
): Promise<CreatedNudges> {
  const out: CreatedNudges = { queued: [], skipped: [] };
  if (policy.nudgeDetectors.length === 0 || incidentIds.length === 0) return out;
  const candidates = await db
    .selectFrom('incidents')
    .select(['id', 'subject'])
    .where('id', 'in', incidentIds)
    .where('scope', '=', 'user')
    .where('detector', 'in', policy.nudgeDetectors)
    .where('status', '<>', 'resolved')
    .where('alerted_at', 'is', null)
    .orderBy('id')
    .execute();
  for (const c of candidates) {
    const r = await db.transaction().execute(async (tx) => {
      // One developer at a time, so two passes never both take the last nudge of the day.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`cursorwatch.nudge.${c.subject}`}))`.execute(tx);
      return nudgeOne(tx, c.id, policy, config, now);
    });
    if (r?.kind === 'queued') out.queued.push(r.nudgeId);
    else if (r?.kind === 'skipped') out.skipped.push({ incidentId: c.id, reason: r.reason });
  }
  return out;
}

type One = { kind: 'queued'; nudgeId: number } | { kind: 'skipped'; reason: NudgeSkipReason } | null;

async function nudgeOne(tx: Tx, incidentId: number, policy: NudgePolicy, config: Config, now: Date): Promise<One> {
  const inc = await tx.selectFrom('incidents').selectAll().where('id', '=', incidentId).forUpdate().executeTakeFirst();
  if (!inc || inc.status === 'resolved' || inc.alerted_at !== null) return null;
  const already = await tx.selectFrom('nudges').select('id').where('incident_id', '=', inc.id).executeTakeFirst();
  if (already) return null;
  const announced = await tx
    .selectFrom('notification_incidents')
    .select('incident_id')
    .where('incident_id', '=', inc.id)
    .executeTakeFirst();
  if (announced) return null;

  const reason = await skipReason(tx, inc, policy, config, now);
  const base = { incident_id: inc.id, email: inc.subject, escalate_after_days: policy.nudgeEscalateAfterDays };
  if (reason) {
    await tx
      .insertInto('nudges')
      .values({ ...base, status: 'skipped', skip_reason: reason, created_at: now, decided_at: now })
      .execute();
    await appendIncidentEvent(tx, {
      incidentId: inc.id,
      actor: 'system',
      action: 'nudge_skipped',
      from: inc.status,
      to: inc.status,
      details: { reason, email: inc.subject },
      at: now,
    });
    return { kind: 'skipped', reason };
  }
  const message = await nudgeMessage(tx, inc, policy, config, now);
  const row = await tx
    .insertInto('nudges')
    .values({
      ...base,
      status: 'pending',
      payload: JSON.stringify(message.payload),
      evidence: JSON.stringify(message.evidence),
      created_at: now,
    })
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? { kind: 'queued', nudgeId: row.id } : null;
}

async function skipReason(
  tx: Tx,
  inc: IncidentRow,
  policy: NudgePolicy,
  config: Config,
  now: Date,
): Promise<NudgeSkipReason | null> {
  if (!nudgeMailReady(config)) return 'smtp_not_configured';
  if (!/^[^@\s]+@[^@\s]+$/.test(inc.subject)) return 'not_a_developer';
  // Found late (a day caught up after the worker was down): a nudge would be decided "fixed" at once, and the team
  // never told.
  if (anomalyEnded(inc, now)) return 'already_ended';
  const optedOut = await tx
    .selectFrom('nudge_opt_outs')
    .select('email')
    .where('email', '=', inc.subject.toLowerCase())
    .executeTakeFirst();
  if (optedOut) return 'opted_out';
  const recent = await tx
    .selectFrom('nudges as n')
    .innerJoin('incidents as i', 'i.id', 'n.incident_id')
    .select('n.id')
    .where('n.email', '=', inc.subject)
    .where('i.detector', '=', inc.detector)
    .where('n.status', '<>', 'skipped')
    .where('n.created_at', '>=', new Date(now.getTime() - RECENT_NUDGE_DAYS * DAY_MS))
    .executeTakeFirst();
  if (recent) return 'recent_nudge';
  const dayStart = new Date(`${dayOf(now)}T00:00:00Z`);
  const today = await tx
    .selectFrom('nudges')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('email', '=', inc.subject)
    .where('status', '<>', 'skipped')
    .where('created_at', '>=', dayStart)
    .where('created_at', '<', new Date(dayStart.getTime() + DAY_MS))
    .executeTakeFirstOrThrow();
  if (Number(today.n) >= policy.nudgeDailyCapPerDeveloper) return 'daily_cap';
  return null;
}

async function nudgeMessage(tx: Tx, inc: IncidentRow, policy: NudgePolicy, config: Config, now: Date) {
  const onsetDay = dayOf(inc.onset_at);
  const lastDay = inc.last_evaluated_day ?? dayOf(now);
  const evidence = await loadNudgeEvidence(tx, { email: inc.subject, onsetDay, lastDay });
  const links = grafanaLinks(config, inc);
  const payload = renderNudgeEmail({
    nudgeKey: `nudge:${inc.id}`,
    incidentId: inc.id,
    detector: inc.detector,
    impactCents: inc.impact_cents,
    evidence,
    escalateAt: escalateAt(now, policy.nudgeEscalateAfterDays),
    escalateAfterDays: policy.nudgeEscalateAfterDays,
    links: { incident: links.incident, userDashboard: links.userDashboard },
  });
  return { payload, evidence };
}
