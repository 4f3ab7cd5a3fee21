import type { SpendLimitChange } from '@cursor-cost-watch/contract';
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database, DbOrTx } from '../db/database';

/** sql/009_spend_limit_changes.sql; kept beside its only writer and reader. */
export interface SpendLimitChangesTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor: string;
  email: string;
  incident_id: number | null;
  old_dollars: number | null;
  old_known: boolean;
  new_dollars: number | null;
  reason: string;
  cursor_message: string;
  undo_of: number | null;
  undone_by: number | null;
}
type LimitDatabase = Database & { spend_limit_changes: SpendLimitChangesTable };
export type SpendLimitChangeRow = Selectable<SpendLimitChangesTable>;

const limitDb = (db: DbOrTx) => db as unknown as Kysely<LimitDatabase> | Transaction<LimitDatabase>;

export function toSpendLimitChange(r: SpendLimitChangeRow): SpendLimitChange {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    email: r.email,
    incidentId: r.incident_id,
    oldDollars: r.old_dollars,
    oldKnown: r.old_known,
    newDollars: r.new_dollars,
    reason: r.reason,
    cursorMessage: r.cursor_message,
    undoOf: r.undo_of,
    undoneBy: r.undone_by,
  };
}

export async function latestChanges(db: DbOrTx, email: string, limit = 20): Promise<SpendLimitChangeRow[]> {
  return limitDb(db)
    .selectFrom('spend_limit_changes')
    .selectAll()
    .where('email', '=', email)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function findChange(db: DbOrTx, id: number): Promise<SpendLimitChangeRow | undefined> {
  return limitDb(db).selectFrom('spend_limit_changes').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface NewChange {
  at: Date;
  actor: string;
  email: string;
  incidentId: number | null;
  oldDollars: number | null;
  oldKnown: boolean;
  newDollars: number | null;
  reason: string;
  cursorMessage: string;
  undoOf: number | null;
}

/** Records a change Cursor accepted; an undo also marks the change it reverted. */
export async function insertChange(tx: DbOrTx, c: NewChange): Promise<SpendLimitChangeRow> {
  const row = await limitDb(tx)
    .insertInto('spend_limit_changes')
    .values({
      at: c.at,
      actor: c.actor,
      email: c.email,
      incident_id: c.incidentId,
      old_dollars: c.oldDollars,
      old_known: c.oldKnown,
      new_dollars: c.newDollars,
      reason: c.reason,
      cursor_message: c.cursorMessage,
      undo_of: c.undoOf,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (c.undoOf !== null)
    await limitDb(tx)
      .updateTable('spend_limit_changes')
      .set({ undone_by: row.id })
      .where('id', '=', c.undoOf)
      .execute();
  return row;
}
