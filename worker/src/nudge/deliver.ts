import type { Config } from '../config/config';
import type { Db, Tx } from '../db/database';
import { appendIncidentEvent } from '../incidents/events';
import { sendEmail, type EmailPayload } from '../notify/email';
import { deliverFromOutbox, type SENT_UNRECORDED } from '../notify/outbox';
import { escalateAt } from './policy';

export type NudgeDeliveryOutcome = 'sent' | typeof SENT_UNRECORDED | 'already_sent' | 'missing' | 'skipped' | 'decided';

/**
 * Sends one stored nudge to its developer once, through the same outbox attempt as a notification (notify/outbox.ts:
 * locked, status checked first, so a job that runs twice sends the email once). A developer who opted out since the nudge was stored gets nothing: the
 * nudge becomes skipped and the incident goes to the team channels. A failure is recorded and rethrown for pg-boss
 * to retry; on the last attempt the nudge is failed, and the hourly check escalates it to the team.
 */
export async function deliverNudge(
  db: Db,
  config: Config,
  nudgeId: number,
  { finalAttempt = false, now = () => new Date() }: { finalAttempt?: boolean; now?: () => Date } = {},
): Promise<NudgeDeliveryOutcome> {
  return deliverFromOutbox(
    db,
    'nudges',
    nudgeId,
    { finalAttempt, now },
    {
      settled: async (tx, row): Promise<'skipped' | 'decided' | null> => {
        if (row.status === 'skipped') return 'skipped';
        // Escalated (it failed for too long) or the incident already closed: an email now would be news from the past.
        if (row.outcome !== null || row.escalated_at !== null) return 'decided';
        const optedOut = await tx
          .selectFrom('nudge_opt_outs')
          .select('email')
          .where('email', '=', row.email.toLowerCase())
          .executeTakeFirst();
        if (!optedOut) return null;
        const at = now();
        await tx
          .updateTable('nudges')
          .set({ status: 'skipped', skip_reason: 'opted_out', decided_at: at })
          .where('id', '=', row.id)
          .execute();
        await nudgeEvent(tx, row, 'nudge_skipped', { reason: 'opted_out', email: row.email, nudgeId: row.id }, at);
        return 'skipped';
      },
      send: (row) => sendEmail(config, row.payload as unknown as EmailPayload, row.email),
      afterSent: (tx, row, at) =>
        nudgeEvent(
          tx,
          row,
          'nudged',
          {
            email: row.email,
            nudgeId: row.id,
            escalateAfterDays: row.escalate_after_days,
            escalateAt: escalateAt(row.created_at, row.escalate_after_days).toISOString(),
          },
          at,
        ),
    },
  );
}

/** The incident's timeline entry for its nudge; the incident's status does not change. */
async function nudgeEvent(
  tx: Tx,
  row: { incident_id: number },
  action: 'nudged' | 'nudge_skipped',
  details: Record<string, unknown>,
  at: Date,
): Promise<void> {
  const inc = await tx
    .selectFrom('incidents')
    .select(['status'])
    .where('id', '=', row.incident_id)
    .executeTakeFirstOrThrow();
  await appendIncidentEvent(tx, {
    incidentId: row.incident_id,
    actor: 'system',
    action,
    from: inc.status,
    to: inc.status,
    details,
    at,
  });
}
