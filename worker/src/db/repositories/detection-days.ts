import { sql } from 'kysely';
import type { DbOrTx } from '../database';

/**
 * Marks `asOf` as evaluated by one more detection pass (sql/022_detection_days.sql). Called in the transaction that
 * records the pass's incidents, so the mark and the incidents' evaluated days commit together.
 */
export async function markDetectionDay(db: DbOrTx, asOf: string): Promise<void> {
  await db
    .insertInto('detection_days')
    .values({ as_of: asOf })
    .onConflict((oc) =>
      oc.column('as_of').doUpdateSet({
        passes: sql`detection_days.passes + 1`,
        last_pass_at: sql`now()`,
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
