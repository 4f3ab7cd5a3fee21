import { sql, type Selectable } from 'kysely';
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

/** Tries of afterSent: a deadlock's victim is retried once the other side, no longer blocked, has moved on. */
const AFTER_SENT_TRIES = 3;

/**
 * Runs `step` in a savepoint, so that its failure (a deadlock, a lock timeout) is rolled back alone and the
 * transaction it is in still commits; tried AFTER_SENT_TRIES times. Returns null, or the last failure's message.
 */
async function keptApart(tx: Tx, step: () => Promise<void>): Promise<string | null> {
  let failure = '';
  for (let i = 0; i < AFTER_SENT_TRIES; i++) {
    await sql`SAVEPOINT after_sent`.execute(tx);
    try {
      await step();
      await sql`RELEASE SAVEPOINT after_sent`.execute(tx);
      return null;
    } catch (err) {
      await sql`ROLLBACK TO SAVEPOINT after_sent`.execute(tx);
      failure = err instanceof Error ? err.message : String(err);
    }
  }
  return failure;
}

/**
 * One delivery attempt of an outbox row. The row is locked for the whole attempt and its status checked first, so
 * a job that runs twice (two workers, a retry after a send whose completion was lost) sends once. A failed attempt
 * is recorded (attempts, last_error; status failed on the final attempt, else pending) and rethrown for pg-boss to
 * retry with backoff. Once sent, the row is sent: afterSent runs in a savepoint, and if it keeps failing the row
 * says so in last_error (what it would have recorded is lost, the message is not sent twice).
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
    // Nothing after the send may undo it: what afterSent does (marking incidents alerted, locking them) can lose a
    // deadlock with a detection pass, and the whole transaction, "sent" with it, went; the retry sent the message again.
    const unmarked = await keptApart(tx, () => attempt.afterSent(tx, row, at));
    await tx
      .updateTable(t)
      .set({
        status: 'sent',
        sent_at: at,
        attempts: found.attempts + 1,
        last_error: unmarked === null ? null : `sent; recording it failed: ${unmarked}`.slice(0, 2000),
      })
      .where('id', '=', id)
      .execute();
    return { outcome: 'sent' as const };
  });
  if (result.outcome === 'error') throw result.error;
  return result.outcome;
}
