import { sql } from 'kysely';
import type { DbOrTx } from '../database';

/**
 * Marks `asOf` as evaluated by one more detection pass (sql/022_detection_days.sql); a day the worker missed, caught
 * up, with the incidents its pass would have announced (`owed`). Called in the transaction that records the pass's
 * incidents, so the mark, what it owes and the incidents' evaluated days commit together.
 */
export async function markDetectionDay(db: DbOrTx, asOf: string, caughtUp?: { owed: number[] }): Promise<void> {
  await db
    .insertInto('detection_days')
    .values({ as_of: asOf, owed: caughtUp?.owed ?? [], caught_up: caughtUp !== undefined })
    .onConflict((oc) =>
      oc.column('as_of').doUpdateSet({
        passes: sql`detection_days.passes + 1`,
        last_pass_at: sql`now()`,
        owed: sql`detection_days.owed || excluded.owed`,
        caught_up: sql`detection_days.caught_up OR excluded.caught_up`,
      }),
    )
    .execute();
}

/** The first day any usage was collected for, or null before the first collection (an index's first entry). */
export async function firstUsageDay(db: DbOrTx): Promise<string | null> {
  const { rows } = await sql<{ day: string | null }>`SELECT min(day)::text AS day FROM user_daily_rollup`.execute(db);
  return rows[0].day;
}

/**
 * Whether any usage was collected for a day up to `asOf`. A pass with none (`npm run detect` before the first
 * collection, or on a day before it) marks no day; one whose window is empty only because usage stopped weeks ago
 * marks its day as ever.
 */
export async function usageCollectedUpTo(db: DbOrTx, asOf: string): Promise<boolean> {
  const first = await firstUsageDay(db);
  return first !== null && first <= asOf;
}

/**
 * The days detection missed from `from` to `to`, oldest first: those after the first day marked that have no mark
 * (none before any day was evaluated: a fresh install, an upgrade). A day evaluated out of turn (`npm run detect --
 * --as-of` while the worker was down) leaves the missed days around it missed. Day arithmetic on dates, not on
 * timestamps: a session time zone whose clocks jump at midnight would drop a day from a timestamp series.
 */
export async function unmarkedDays(db: DbOrTx, from: string, to: string): Promise<string[]> {
  const { rows } = await sql<{ day: string }>`
    WITH span AS (
      SELECT GREATEST(min(as_of) + 1, ${from}::date) AS first FROM detection_days HAVING min(as_of) IS NOT NULL
    )
    SELECT (span.first + n)::text AS day
    FROM span, generate_series(0, ${to}::date - span.first) AS n
    WHERE NOT EXISTS (SELECT 1 FROM detection_days x WHERE x.as_of = span.first + n)
    ORDER BY n`.execute(db);
  return rows.map((r) => r.day);
}

/** The days missed just before `before`, back to the last day marked before it: an outage longer than the catch-up. */
export async function missedBefore(db: DbOrTx, before: string): Promise<string[]> {
  const { rows } = await sql<{ day: string }>`
    WITH last AS (SELECT max(as_of) AS day FROM detection_days WHERE as_of < ${before}::date)
    SELECT (last.day + n)::text AS day
    FROM last, generate_series(1, ${before}::date - last.day - 1) AS n
    ORDER BY n`.execute(db);
  return rows.map((r) => r.day);
}

/** Marks missed days left unevaluated (older than the catch-up reaches) with no pass, so they are reported once. */
export async function markSkippedDays(db: DbOrTx, days: string[]): Promise<void> {
  if (days.length === 0) return;
  await db
    .insertInto('detection_days')
    .values(days.map((as_of) => ({ as_of, passes: 0 })))
    .onConflict((oc) => oc.column('as_of').doNothing())
    .execute();
}

/** What caught-up passes owe an announcement: each day's list as read (settleOwed's receipt). */
export interface Owed {
  ids: number[];
  /** Each day with a list and how many of its entries were read. */
  read: { day: string; n: number }[];
}

/** The incidents caught-up passes owe an announcement, each once, in id order. */
export async function owedAnnouncements(db: DbOrTx): Promise<Owed> {
  const { rows } = await sql<{ day: string; owed: string[] }>`
    SELECT as_of::text AS day, owed FROM detection_days WHERE owed <> '{}' ORDER BY as_of`.execute(db);
  const ids = [...new Set(rows.flatMap((r) => r.owed.map(Number)))].sort((a, b) => a - b);
  return { ids, read: rows.map((r) => ({ day: r.day, n: r.owed.length })) };
}

/**
 * Takes what was read off each day's list once it was announced. Lists only grow at their end (markDetectionDay), so
 * dropping the first n entries read leaves what a pass added meanwhile, an escalation say, for the next announcement.
 */
export async function settleOwed(db: DbOrTx, { read }: Owed): Promise<void> {
  if (read.length === 0) return;
  await sql`UPDATE detection_days d SET owed = d.owed[r.n + 1:]
    FROM unnest(${read.map((r) => r.day)}::date[], ${read.map((r) => r.n)}::int[]) AS r(day, n)
    WHERE d.as_of = r.day`.execute(db);
}
