import type { DbOrTx } from '../db/database';

export type IncidentAction =
  | 'opened'
  | 'updated'
  | 'onset_moved'
  | 'escalated'
  | 'alerted'
  | 'acknowledged'
  | 'resolved'
  | 'reopened'
  | 'auto_resolved'
  // Nudge the developer first (../nudge)
  | 'nudged'
  | 'nudge_skipped'
  | 'nudge_escalated'
  | 'fixed_after_nudge';

export interface IncidentEventInput {
  incidentId: number;
  actor: string;
  action: IncidentAction;
  from: string | null;
  to: string | null;
  details?: Record<string, unknown>;
  at?: Date;
}

/** Appends one entry to an incident's timeline; every state change goes through here. */
export async function appendIncidentEvent(db: DbOrTx, e: IncidentEventInput): Promise<void> {
  await db
    .insertInto('incident_events')
    .values({
      incident_id: e.incidentId,
      actor: e.actor,
      action: e.action,
      from_status: e.from,
      to_status: e.to,
      details: JSON.stringify(e.details ?? {}),
      ...(e.at ? { at: e.at } : {}),
    })
    .execute();
}

export async function listIncidentEvents(db: DbOrTx, incidentId: number) {
  return db.selectFrom('incident_events').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
}
