import type { Selectable } from 'kysely';
import type { Database, Db, Tx } from '../db/database';

/** The tables used as an outbox: a stored message, then jobs that send it (notifications, personal nudges). */
type OutboxTable = 'notifications' | 'nudges';
type OutboxRow<T extends OutboxTable> = Selectable<Database[T]>;

export interface OutboxAttempt<T extends OutboxTable, Settled extends string> {
  /** Before sending: an outcome here settles the row without a send (a nudge skipped, or already decided). */
  settled?: (tx: Tx, row: OutboxRow<T>) => Promise<Settled | null>;
  send: (row: OutboxRow<T>) => Promise<void>;
  /** In the same transaction as the row marked sent, stamped `at`. */
  afterSent: (tx: Tx, row: OutboxRow<T>, at: Date) => Promise<void>;
}

/**
 * One delivery attempt of an outbox row. The row is locked for the whole attempt and its status checked first, so
 * a job that runs twice (two workers, a retry after a send whose completion was lost) sends once. A failed attempt
 * is recorded (attempts, last_error; status failed on the final attempt, else pending) and rethrown for pg-boss to
 * retry with backoff.
 */
export async function deliverFromOutbox<T extends OutboxTable, Settled extends string>(
  db: Db,
  table: T,
  id: number,
  { finalAttempt, now }: { finalAttempt: boolean; now: () => Date },
  attempt: OutboxAttempt<T, Settled>,
): Promise<'sent' | 'already_sent' | 'missing' | Settled> {
  // Kysely cannot type a query over a union of tables; both share the outbox columns used here (id, status,
  // attempts, last_error, sent_at), so the queries are written against one of them.
  const t = table as 'notifications';
  const result = await db.transaction().execute(async (tx) => {
    const found = await tx.selectFrom(t).selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!found) return { outcome: 'missing' as const };
    if (found.status === 'sent') return { outcome: 'already_sent' as const };
    const row = found as unknown as OutboxRow<T>;
    const settled = await attempt.settled?.(tx, row);
    if (settled) return { outcome: settled };
    try {
      await attempt.send(row);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await tx
        .updateTable(t)
        .set({
          attempts: found.attempts + 1,
          last_error: message.slice(0, 2000),
          status: finalAttempt ? 'failed' : 'pending',
        })
        .where('id', '=', id)
        .execute();
      return { outcome: 'error' as const, error: err };
    }
    const at = now();
    await tx
      .updateTable(t)
      .set({ status: 'sent', sent_at: at, attempts: found.attempts + 1, last_error: null })
      .where('id', '=', id)
      .execute();
    await attempt.afterSent(tx, row, at);
    return { outcome: 'sent' as const };
  });
  if (result.outcome === 'error') throw result.error;
  return result.outcome;
}
