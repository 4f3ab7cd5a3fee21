import type { DbOrTx, Tx } from './database';

/** Runs `fn` in the caller's transaction when given one (so a caller can add its own rows to it), else in a new one. */
export function inTransaction<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Tx) : db.transaction().execute(fn);
}
