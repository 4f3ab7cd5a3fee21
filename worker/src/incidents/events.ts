import type { IncidentAction } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';

/** The actions and their labels live in the contract (timeline.ts), so the plugin names each one. */
export type { IncidentAction };

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

/**
 * Appends many entries in one statement, in the order given (their ids follow that order, as one append after
 * another would give them). Each entry needs its time: a pass stamps all of them with its own clock.
 */
export async function appendIncidentEvents(db: DbOrTx, events: (IncidentEventInput & { at: Date })[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e, i) => ({
    i,
    incident_id: e.incidentId,
    actor: e.actor,
    action: e.action,
    from_status: e.from,
    to_status: e.to,
    details: e.details ?? {},
    at: e.at.toISOString(),
  }));
  await sql`
    INSERT INTO incident_events (incident_id, actor, action, from_status, to_status, details, at)
    SELECT incident_id, actor, action, from_status, to_status, details, at
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS e(i int, incident_id bigint, actor text, action text,
      from_status text, to_status text, details jsonb, at timestamptz)
    ORDER BY e.i`.execute(db);
}

export async function listIncidentEvents(db: DbOrTx, incidentId: number) {
  return db.selectFrom('incident_events').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
}
