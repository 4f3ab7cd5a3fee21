import type { ChosenResolutionReason, IncidentAction } from '@cursor-cost-watch/contract';
import type { Updateable } from 'kysely';
import type { DbOrTx, Tx } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { IncidentsTable, IncidentStatus } from '../db/schema/detection';
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

/** What a person asks for with each action. */
export interface TransitionRequests {
  acknowledge: { note?: string };
  resolve: { reason: HumanResolution; note?: string };
  reopen: { note?: string };
}
export type HumanAction = keyof TransitionRequests;

/** One allowed change: the statuses it starts from, where it leads, what it writes and what the timeline records. */
interface Transition<A extends HumanAction> {
  from: readonly IncidentStatus[];
  /** Why another status refuses it (default: "it is <status>"). */
  refusal?: (cur: IncidentRow) => string;
  /** Checks the request before anything is read (a bad value is a 400, not a 409). */
  check?: (request: TransitionRequests[A]) => void;
  /** A refusal that depends on other incidents, read inside the transaction. */
  guard?: (tx: Tx, cur: IncidentRow) => Promise<string | null>;
  to: (cur: IncidentRow) => IncidentStatus;
  event: IncidentAction;
  set: (cur: IncidentRow, request: TransitionRequests[A], actor: string, now: Date) => Updateable<IncidentsTable>;
  details: (cur: IncidentRow, request: TransitionRequests[A]) => Record<string, unknown>;
}

const noteOf = (note: string | undefined) => (note ? { note } : {});

/** The state an incident returns to when reopened: where it was before it was resolved. */
function statusBeforeResolution(row: IncidentRow): IncidentStatus {
  if (row.acknowledged_at) return 'acknowledged';
  if (row.alerted_at) return 'alerted';
  return 'open';
}

/** Every change a person may make to an incident, by action: from-statuses × action → to-status, timeline action. */
const TRANSITIONS: { [A in HumanAction]: Transition<A> } = {
  /** A person has seen the incident and is on it: open or alerted → acknowledged. */
  acknowledge: {
    from: ['open', 'alerted'],
    to: () => 'acknowledged',
    event: 'acknowledged',
    set: (_cur, _req, actor, now) => ({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: actor }),
    details: (_cur, { note }) => noteOf(note),
  },
  /** A person closes the incident with a reason: fixed, expected (planned) or false_positive. */
  resolve: {
    from: ['open', 'alerted', 'acknowledged'],
    refusal: (cur) => `it is already resolved (${cur.resolution_reason})`,
    check: (resolution) => {
      if (!HUMAN_RESOLUTIONS.includes(resolution?.reason))
        throw new IncidentInputError([
          {
            path: 'reason',
            message: `must be one of fixed, expected, false_positive (got "${String(resolution?.reason)}")`,
          },
        ]);
    },
    to: () => 'resolved',
    event: 'resolved',
    set: (_cur, { reason, note }, actor, now) => ({
      status: 'resolved',
      resolved_at: now,
      resolved_by: actor,
      resolution_reason: reason,
      resolution_note: note ?? null,
    }),
    details: (_cur, { reason, note }) => ({ reason, ...noteOf(note) }),
  },
  /** Undo a resolution. Refused while another incident for the same subject and detector is unresolved. */
  reopen: {
    from: ['resolved'],
    refusal: (cur) => `it is ${cur.status}, not resolved`,
    guard: async (tx, cur) => {
      const other = await tx
        .selectFrom('incidents')
        .select('id')
        .where('scope', '=', cur.scope)
        .where('subject', '=', cur.subject)
        .where('detector', '=', cur.detector)
        .where('status', '<>', 'resolved')
        .executeTakeFirst();
      return other ? `incident ${other.id} is already open for ${cur.subject} / ${cur.detector}` : null;
    },
    to: statusBeforeResolution,
    event: 'reopened',
    set: (cur) => ({
      status: statusBeforeResolution(cur),
      resolved_at: null,
      resolved_by: null,
      resolution_reason: null,
      resolution_note: null,
      normal_days: 0,
    }),
    details: (cur, { note }) => ({
      previousReason: cur.resolution_reason,
      previousNote: cur.resolution_note,
      ...noteOf(note),
    }),
  },
};

/**
 * Applies a person's `action` to incident `id` as TRANSITIONS allows it: the row is locked, its status checked
 * (IncidentTransitionError, the API's 409, when the action does not start from it), then updated with one timeline
 * row, in one transaction.
 */
export async function transition<A extends HumanAction>(
  db: DbOrTx,
  id: number,
  action: A,
  request: TransitionRequests[A],
  actor: string,
  now = new Date(),
): Promise<IncidentRow> {
  const rule: Transition<A> = TRANSITIONS[action];
  requireActor(actor);
  rule.check?.(request);
  return inTransaction(db, async (tx) => {
    const cur = await lockIncident(tx, id);
    if (!rule.from.includes(cur.status)) throw new IncidentTransitionError(id, action, cur.status, rule.refusal?.(cur));
    const blocked = await rule.guard?.(tx, cur);
    if (blocked) throw new IncidentTransitionError(id, action, cur.status, blocked);
    const row = await tx
      .updateTable('incidents')
      .set(rule.set(cur, request, actor, now))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendIncidentEvent(tx, {
      incidentId: id,
      actor,
      action: rule.event,
      from: cur.status,
      to: rule.to(cur),
      details: rule.details(cur, request),
      at: now,
    });
    return row;
  });
}

export const acknowledgeIncident = (db: DbOrTx, id: number, actor: string, note?: string, now?: Date) =>
  transition(db, id, 'acknowledge', { note }, actor, now);

export const resolveIncident = (
  db: DbOrTx,
  id: number,
  resolution: TransitionRequests['resolve'],
  actor: string,
  now?: Date,
) => transition(db, id, 'resolve', resolution, actor, now);

export const reopenIncident = (db: DbOrTx, id: number, actor: string, note?: string, now?: Date) =>
  transition(db, id, 'reopen', { note }, actor, now);

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
