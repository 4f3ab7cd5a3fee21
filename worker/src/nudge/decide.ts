import { DAY_MS } from '@cursor-cost-watch/contract';
import type { Db, Tx } from '../db/database';
import type { Selectable } from 'kysely';
import type { NudgesTable } from '../db/schema/nudge';
import { appendIncidentEvent } from '../incidents/events';
import type { IncidentRow } from '../incidents';
import { escalateAt } from './policy';

export interface NudgeDecisions {
  /** Incidents released to the team channels: still active N days after the nudge, or the nudge never went out. */
  escalated: number[];
  /** Incidents resolved as fixed after nudge. */
  fixed: number[];
  /** Incidents a person (or the normal lifecycle) closed while the nudge was out. */
  closed: number[];
}

type NudgeRow = Selectable<NudgesTable>;

/**
 * The anomaly has ended when the detector has not reported it for a whole day of passes (the last pass that saw it
 * is at least 24 hours old) and a later day was evaluated without it. Stricter than one normal day, because an
 * hourly pass early in a day counts the day as normal before its data is in (incidents/README.md, caveat).
 */
export function anomalyEnded(inc: Pick<IncidentRow, 'normal_days' | 'last_detected_at'>, now: Date): boolean {
  return inc.normal_days >= 1 && now.getTime() - inc.last_detected_at.getTime() >= DAY_MS;
}

/**
 * Settles every nudge still waiting: the incident resolves as "fixed after nudge" when the anomaly ended, or
 * escalates to the team channels once it is still active `escalate_after_days` after the nudge (or the nudge could
 * not be delivered). Each nudge is decided once, under its row lock: running this again, or from two workers,
 * decides nothing twice. The caller queues the channel messages for `escalated` (enqueueNotifications).
 */
export async function decideNudges(db: Db, now: Date): Promise<NudgeDecisions> {
  const out: NudgeDecisions = { escalated: [], fixed: [], closed: [] };
  const waiting = await db
    .selectFrom('nudges')
    .select('id')
    .where('outcome', 'is', null)
    .where('status', '<>', 'skipped')
    .orderBy('id')
    .execute();
  for (const { id } of waiting) {
    const d = await db.transaction().execute((tx) => decideOne(tx, id, now));
    if (d) out[d.kind].push(d.incidentId);
  }
  return out;
}

type Decision = { kind: keyof NudgeDecisions; incidentId: number } | null;

async function decideOne(tx: Tx, nudgeId: number, now: Date): Promise<Decision> {
  const n = await tx.selectFrom('nudges').selectAll().where('id', '=', nudgeId).forUpdate().executeTakeFirst();
  if (!n || n.outcome !== null || n.status === 'skipped') return null;
  const inc = await tx
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', n.incident_id)
    .forUpdate()
    .executeTakeFirstOrThrow();

  if (inc.status === 'resolved') {
    // The normal lifecycle resolved it (normal for autoResolveAfterDays) before this check saw it end: it is the
    // same outcome, named for what happened.
    if (n.status === 'sent' && inc.resolution_reason === 'auto' && inc.resolved_at && inc.resolved_at >= n.created_at) {
      await tx
        .updateTable('incidents')
        .set({ resolution_reason: 'fixed_after_nudge' })
        .where('id', '=', inc.id)
        .execute();
      await settle(tx, n, 'fixed_after_nudge', now);
      await appendIncidentEvent(tx, {
        incidentId: inc.id,
        actor: 'system',
        action: 'fixed_after_nudge',
        from: 'resolved',
        to: 'resolved',
        details: { reason: 'fixed_after_nudge', nudgeId: n.id, note: 'Back to usual after the nudge' },
        at: now,
      });
      return { kind: 'fixed', incidentId: inc.id };
    }
    await settle(tx, n, 'closed', now);
    return { kind: 'closed', incidentId: inc.id };
  }

  if (n.status === 'sent' && anomalyEnded(inc, now)) {
    const days = Math.round(((now.getTime() - (n.sent_at ?? n.created_at).getTime()) / DAY_MS) * 10) / 10;
    const note = `Back to usual after the nudge: not seen since ${inc.last_detected_at.toISOString().slice(0, 16).replace('T', ' ')} UTC (${days} day(s) after the nudge)`;
    await tx
      .updateTable('incidents')
      .set({
        status: 'resolved',
        resolved_at: now,
        resolved_by: 'system',
        resolution_reason: 'fixed_after_nudge',
        resolution_note: note,
      })
      .where('id', '=', inc.id)
      .execute();
    await settle(tx, n, 'fixed_after_nudge', now);
    await appendIncidentEvent(tx, {
      incidentId: inc.id,
      actor: 'system',
      action: 'fixed_after_nudge',
      from: inc.status,
      to: 'resolved',
      details: { reason: 'fixed_after_nudge', nudgeId: n.id, note },
      at: now,
    });
    return { kind: 'fixed', incidentId: inc.id };
  }

  const due = escalateAt(n.created_at, n.escalate_after_days);
  const notDelivered = n.status === 'failed';
  if (!notDelivered && now < due) return null;
  await tx
    .updateTable('nudges')
    .set({ escalated_at: now, outcome: 'escalated', decided_at: now })
    .where('id', '=', n.id)
    .execute();
  await appendIncidentEvent(tx, {
    incidentId: inc.id,
    actor: 'system',
    action: 'nudge_escalated',
    from: inc.status,
    to: inc.status,
    details: {
      reason: notDelivered || n.status !== 'sent' ? 'not_delivered' : 'still_active',
      nudgeId: n.id,
      nudgedAt: (n.sent_at ?? n.created_at).toISOString(),
      afterDays: n.escalate_after_days,
      // (a sent nudge's last_error is about recording it, not delivering it)
      ...(n.last_error && n.status !== 'sent' ? { lastError: n.last_error } : {}),
    },
    at: now,
  });
  return { kind: 'escalated', incidentId: inc.id };
}

async function settle(tx: Tx, n: NudgeRow, outcome: 'fixed_after_nudge' | 'closed', now: Date): Promise<void> {
  await tx.updateTable('nudges').set({ outcome, decided_at: now }).where('id', '=', n.id).execute();
}
