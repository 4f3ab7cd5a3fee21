import type { ChosenResolutionReason } from '@cursor-cost-watch/contract';
import type { DbOrTx, Tx } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { IncidentStatus } from '../db/schema/detection';
import { IncidentInputError, IncidentNotFoundError, IncidentTransitionError } from './errors';
import { appendIncidentEvent } from './events';
import type { IncidentRow } from './types';

export type HumanResolution = ChosenResolutionReason;
const HUMAN_RESOLUTIONS: readonly string[] = ['fixed', 'expected', 'false_positive'];

async function lockIncident(tx: Tx, id: number): Promise<IncidentRow> {
  const row = await tx.selectFrom('incidents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new IncidentNotFoundError(id);
  return row;
}

function requireActor(actor: string): void {
  if (typeof actor !== 'string' || actor.trim() === '')
    throw new IncidentInputError([{ path: 'actor', message: 'must name who made the change' }]);
}

/** A person has seen the incident and is on it: open or alerted → acknowledged. */
export async function acknowledgeIncident(
  db: DbOrTx,
  id: number,
  actor: string,
  note?: string,
  now = new Date(),
): Promise<IncidentRow> {
  requireActor(actor);
  return inTransaction(db, async (tx) => {
    const cur = await lockIncident(tx, id);
    if (cur.status !== 'open' && cur.status !== 'alerted')
      throw new IncidentTransitionError(id, 'acknowledge', cur.status);
    const row = await tx
      .updateTable('incidents')
      .set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: actor })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendIncidentEvent(tx, {
      incidentId: id,
      actor,
      action: 'acknowledged',
      from: cur.status,
      to: 'acknowledged',
      details: note ? { note } : {},
      at: now,
    });
    return row;
  });
}

/** A person closes the incident with a reason: fixed, expected (planned) or false_positive. */
export async function resolveIncident(
  db: DbOrTx,
  id: number,
  resolution: { reason: HumanResolution; note?: string },
  actor: string,
  now = new Date(),
): Promise<IncidentRow> {
  requireActor(actor);
  if (!HUMAN_RESOLUTIONS.includes(resolution?.reason)) {
    throw new IncidentInputError([
      {
        path: 'reason',
        message: `must be one of fixed, expected, false_positive (got "${String(resolution?.reason)}")`,
      },
    ]);
  }
  return inTransaction(db, async (tx) => {
    const cur = await lockIncident(tx, id);
    if (cur.status === 'resolved')
      throw new IncidentTransitionError(id, 'resolve', cur.status, `it is already resolved (${cur.resolution_reason})`);
    const row = await tx
      .updateTable('incidents')
      .set({
        status: 'resolved',
        resolved_at: now,
        resolved_by: actor,
        resolution_reason: resolution.reason,
        resolution_note: resolution.note ?? null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendIncidentEvent(tx, {
      incidentId: id,
      actor,
      action: 'resolved',
      from: cur.status,
      to: 'resolved',
      details: { reason: resolution.reason, ...(resolution.note ? { note: resolution.note } : {}) },
      at: now,
    });
    return row;
  });
}

/** The state an incident returns to when reopened: where it was before it was resolved. */
function statusBeforeResolution(row: IncidentRow): IncidentStatus {
  if (row.acknowledged_at) return 'acknowledged';
  if (row.alerted_at) return 'alerted';
  return 'open';
}

/** Undo a resolution. Refused while another incident for the same subject and detector is unresolved. */
export async function reopenIncident(
  db: DbOrTx,
  id: number,
  actor: string,
  note?: string,
  now = new Date(),
): Promise<IncidentRow> {
  requireActor(actor);
  return inTransaction(db, async (tx) => {
    const cur = await lockIncident(tx, id);
    if (cur.status !== 'resolved')
      throw new IncidentTransitionError(id, 'reopen', cur.status, `it is ${cur.status}, not resolved`);
    const other = await tx
      .selectFrom('incidents')
      .select('id')
      .where('scope', '=', cur.scope)
      .where('subject', '=', cur.subject)
      .where('detector', '=', cur.detector)
      .where('status', '<>', 'resolved')
      .executeTakeFirst();
    if (other)
      throw new IncidentTransitionError(
        id,
        'reopen',
        cur.status,
        `incident ${other.id} is already open for ${cur.subject} / ${cur.detector}`,
      );
    const to = statusBeforeResolution(cur);
    const row = await tx
      .updateTable('incidents')
      .set({
        status: to,
        resolved_at: null,
        resolved_by: null,
        resolution_reason: null,
        resolution_note: null,
        normal_days: 0,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendIncidentEvent(tx, {
      incidentId: id,
      actor,
      action: 'reopened',
      from: 'resolved',
      to,
      details: { previousReason: cur.resolution_reason, previousNote: cur.resolution_note, ...(note ? { note } : {}) },
      at: now,
    });
    return row;
  });
}

/**
 * Records, inside the caller's transaction, that a message about these incidents went out on `channel`: the first
 * one sets alerted_at (MTTD ends there) and moves open → alerted; later channels and re-announcements change nothing.
 */
export async function markIncidentsAlerted(
  tx: Tx,
  ids: number[],
  channel: string,
  notificationId: number,
  at = new Date(),
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .selectFrom('incidents')
    .selectAll()
    .where('id', 'in', ids)
    .where('alerted_at', 'is', null)
    // A message delivered after someone acknowledged or resolved the incident is not its first alert: MTTD and
    // MTTI would come out wrong (negative MTTI) if it counted.
    .where('acknowledged_at', 'is', null)
    .where('resolved_at', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  for (const cur of rows) {
    const to: IncidentStatus = cur.status === 'open' ? 'alerted' : cur.status;
    await tx.updateTable('incidents').set({ alerted_at: at, status: to }).where('id', '=', cur.id).execute();
    await appendIncidentEvent(tx, {
      incidentId: cur.id,
      actor: 'system',
      action: 'alerted',
      from: cur.status,
      to,
      details: { channel, notificationId },
      at,
    });
  }
  return rows.map((r) => r.id);
}
