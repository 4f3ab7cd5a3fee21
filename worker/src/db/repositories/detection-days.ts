import { sql } from 'kysely';
import type { DbOrTx } from '../database';

/**
 * Marks `asOf` as evaluated by one more detection pass (sql/022_detection_days.sql), with the incidents a caught-up
 * day's pass would have announced (`owed`). Called in the transaction that records the pass's incidents, so the mark,
 * what it owes and the incidents' evaluated days commit together.
 */
export async function markDetectionDay(db: DbOrTx, asOf: string, owed: number[] = []): Promise<void> {
  await db
    .insertInto('detection_days')
    .values({ as_of: asOf, owed })
    .onConflict((oc) =>
      oc.column('as_of').doUpdateSet({
        passes: sql`detection_days.passes + 1`,
        last_pass_at: sql`now()`,
        owed: sql`detection_days.owed || excluded.owed`,
      }),
    )
    .execute();
}

/**
 * The latest day up to `today` a detection pass evaluated, or null when none did (a fresh install, an upgrade). A
 * later day (`npm run detect -- --as-of` a day ahead) does not stop today's job from catching up.
 */
export async function lastDetectionDay(db: DbOrTx, today: string): Promise<string | null> {
  const row = await db
    .selectFrom('detection_days')
    .where('as_of', '<=', today)
    .select((eb) => eb.fn.max('as_of').as('last'))
    .executeTakeFirst();
  return row?.last ?? null;
}

/** The incidents caught-up passes owe an announcement, each once, in id order. */
export async function owedAnnouncements(db: DbOrTx): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT DISTINCT unnest(owed)::bigint AS id FROM detection_days WHERE owed <> '{}' ORDER BY id`.execute(db);
  return rows.map((r) => r.id);
}

/** Takes `ids` off every day's owed list, once they were announced. */
export async function settleOwed(db: DbOrTx, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE detection_days SET owed = ARRAY(SELECT x FROM unnest(owed) AS x WHERE x <> ALL(${ids}::bigint[]))
    WHERE owed && ${ids}::bigint[]`.execute(db);
}
