import type { Config } from '../config/config';
import type { Db } from '../db/database';
import { appendIncidentEvent } from '../incidents/events';
import { sendEmail, type EmailPayload } from '../notify/email';
import { escalateAt } from './policy';

export type NudgeDeliveryOutcome = 'sent' | 'already_sent' | 'missing' | 'skipped' | 'decided';

/**
 * Sends one stored nudge to its developer, as notify/deliver.ts sends a notification: the row is locked for the
 * whole attempt and its status checked first, so a job that runs twice (a retry after a send whose completion was
 * lost, two workers) sends the email once. A developer who opted out since the nudge was stored gets nothing: the
 * nudge becomes skipped and the incident goes to the team channels. A failure is recorded and rethrown for pg-boss
 * to retry; on the last attempt the nudge is failed, and the hourly check escalates it to the team.
 */
export async function deliverNudge(
  db: Db,
  config: Config,
  nudgeId: number,
  { finalAttempt = false, now = () => new Date() }: { finalAttempt?: boolean; now?: () => Date } = {},
): Promise<NudgeDeliveryOutcome> {
  const result = await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('nudges').selectAll().where('id', '=', nudgeId).forUpdate().executeTakeFirst();
    if (!row) return { outcome: 'missing' as const };
    if (row.status === 'sent') return { outcome: 'already_sent' as const };
    if (row.status === 'skipped') return { outcome: 'skipped' as const };
    // Escalated (it failed for too long) or the incident already closed: an email now would be news from the past.
    if (row.outcome !== null || row.escalated_at !== null) return { outcome: 'decided' as const };
    const inc = await tx
      .selectFrom('incidents')
      .select(['status'])
      .where('id', '=', row.incident_id)
      .executeTakeFirstOrThrow();
    const at = now();
    const optedOut = await tx
      .selectFrom('nudge_opt_outs')
      .select('email')
      .where('email', '=', row.email.toLowerCase())
      .executeTakeFirst();
    if (optedOut) {
      await tx
        .updateTable('nudges')
        .set({ status: 'skipped', skip_reason: 'opted_out', decided_at: at })
        .where('id', '=', row.id)
        .execute();
      await appendIncidentEvent(tx, {
        incidentId: row.incident_id,
        actor: 'system',
        action: 'nudge_skipped',
        from: inc.status,
        to: inc.status,
        details: { reason: 'opted_out', email: row.email, nudgeId: row.id },
        at,
      });
      return { outcome: 'skipped' as const };
    }
    try {
      await sendEmail(config, row.payload as unknown as EmailPayload, row.email);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await tx
        .updateTable('nudges')
        .set({
          attempts: row.attempts + 1,
          last_error: message.slice(0, 2000),
          status: finalAttempt ? 'failed' : 'pending',
        })
        .where('id', '=', row.id)
        .execute();
      return { outcome: 'error' as const, error: err };
    }
    await tx
      .updateTable('nudges')
      .set({ status: 'sent', sent_at: at, attempts: row.attempts + 1, last_error: null })
      .where('id', '=', row.id)
      .execute();
    await appendIncidentEvent(tx, {
      incidentId: row.incident_id,
      actor: 'system',
      action: 'nudged',
      from: inc.status,
      to: inc.status,
      details: {
        email: row.email,
        nudgeId: row.id,
        escalateAfterDays: row.escalate_after_days,
        escalateAt: escalateAt(row.created_at, row.escalate_after_days).toISOString(),
      },
      at,
    });
    return { outcome: 'sent' as const };
  });
  if (result.outcome === 'error') throw result.error;
  return result.outcome;
}
