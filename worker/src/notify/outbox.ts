import { sql, type Selectable } from 'kysely';
import type { Database, Db, Tx } from '../db/database';

/** The tables used as an outbox: a stored message, then jobs that send it (notifications, personal nudges). */
type OutboxTable = 'notifications' | 'nudges';
type OutboxRow<T extends OutboxTable> = Selectable<Database[T]>;

export interface OutboxAttempt<T extends OutboxTable, Settled extends string> {
  /** Before sending: an outcome here settles the row without a send (a nudge skipped, or already decided). */
  settled?: (tx: Tx, row: OutboxRow<T>) => Promise<Settled | null>;
  send: (row: OutboxRow<T>) => Promise<void>;
  /**
   * After the send, in the transaction that marks the row sent (stamped `at`), in a savepoint: it may run up to
   * AFTER_SENT_TRIES times, and if it keeps failing its effects are rolled back while the row is still marked sent.
   * So it must have no effect outside `tx`.
   */
  afterSent: (tx: Tx, row: OutboxRow<T>, at: Date) => Promise<void>;
}

/** Sent, but what afterSent records (incidents marked alerted, a timeline entry) failed: last_error says why. */
export const SENT_UNRECORDED = 'sent_unrecorded' as const;

/**
 * Tries of afterSent when it could not get a lock, each after a longer wait (0.2 to 3.2 s; about 9 s in all with
 * the lock timeouts): a pass that merely runs long (thousands of developers) is waited for; a lock cycle is broken.
 */
const AFTER_SENT_TRIES = 6;

/**
 * How long afterSent waits for a lock: half the server's deadlock_timeout (1 s by default). In a lock cycle with a
 * detection pass, the delivery's wait then ends before PostgreSQL's deadlock check picks a victim, and the delivery
 * gives way (and tries again), not the pass; unless the pass had already been waiting on it half that long.
 */
const HALF_DEADLOCK_TIMEOUT = sql`SELECT set_config('lock_timeout',
  round(extract(epoch FROM current_setting('deadlock_timeout')::interval) * 500)::text || 'ms', true)`;

/** A lock afterSent could not get (a deadlock, lock_timeout, a serialization failure): worth another try. */
const LOCK_CONFLICTS = new Set(['40P01', '55P03', '40001']);

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs `step` in a savepoint, so that its failure is rolled back alone and the transaction it is in still commits;
 * tried again (AFTER_SENT_TRIES) when it could not get a lock. Returns null, or the last failure's message. A
 * failure that leaves no savepoint to return to (a lost connection) is thrown: nothing can be committed then.
 */
async function keptApart(tx: Tx, step: () => Promise<void>): Promise<string | null> {
  let failure = '';
  for (let i = 0; i < AFTER_SENT_TRIES; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** i));
    await sql`SAVEPOINT after_sent`.execute(tx);
    let error: unknown = null;
    try {
      await HALF_DEADLOCK_TIMEOUT.execute(tx);
      await step();
    } catch (err) {
      error = err;
    }
    if (error === null) {
      await sql`RELEASE SAVEPOINT after_sent`.execute(tx);
      await sql`SET LOCAL lock_timeout TO DEFAULT`.execute(tx); // a SET LOCAL outlives the savepoint's release
      return null;
    }
    try {
      // Back to before the step (the lock timeout with it), and the savepoint gone, so tries do not nest.
      await sql`ROLLBACK TO SAVEPOINT after_sent`.execute(tx);
      await sql`RELEASE SAVEPOINT after_sent`.execute(tx);
    } catch {
      throw error;
    }
    failure = messageOf(error);
    if (!LOCK_CONFLICTS.has((error as { code?: string }).code ?? '')) break;
  }
  return failure;
}

/**
 * One delivery attempt of an outbox row. The row is locked for the whole attempt and its status checked first, so
 * a job that runs twice (two workers, a retry after a send whose completion was lost) sends once. A failed attempt
 * is recorded (attempts, last_error; status failed on the final attempt, else pending) and rethrown for pg-boss to
 * retry with backoff. Once sent, a failure of afterSent does not undo "sent" (it runs in a savepoint; the row's
 * last_error says what failed, and the outcome is SENT_UNRECORDED), so it cannot cause a second send; a failure of
 * the final update or of the commit (a lost connection) still can: receivers get the message's id to drop it.
 */
export async function deliverFromOutbox<T extends OutboxTable, Settled extends string>(
  db: Db,
  table: T,
  id: number,
  { finalAttempt, now }: { finalAttempt: boolean; now: () => Date },
  attempt: OutboxAttempt<T, Settled>,
): Promise<'sent' | typeof SENT_UNRECORDED | 'already_sent' | 'missing' | Settled> {
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
      const message = messageOf(err);
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
    // Nothing after the send may undo it: marking incidents alerted (locking them) lost a deadlock with a detection
    // pass, the whole transaction went, "sent" with it, and the job's retry sent the message again.
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
    return { outcome: unmarked === null ? ('sent' as const) : SENT_UNRECORDED };
  });
  if (result.outcome === 'error') throw result.error;
  return result.outcome;
}
