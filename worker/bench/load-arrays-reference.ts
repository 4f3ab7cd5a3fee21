import { addDays, isDay, toDay } from '@cursor-cost-watch/contract';
import type { DbOrTx } from '../src/db/database';
import type { DetectionInput } from '../src/detection/input';
import { loadCycleSpend, loadMembers } from '../src/db/repositories/detection-members';
import { byDay, loadUserDays, loadUserModelDays } from './load-arrays-columns';
import { DetectionInputError } from '../src/detection/input';

export interface LoadOptions {
  /** Days of history up to and including asOf (default 90). */
  days?: number;
  /** The clock: asOf equal to today's UTC day marks the input as a partial day. */
  now?: Date;
  /** Leave out Cursor's reported cycle totals (a backtest must not see today's total on an earlier day). */
  withoutReportedSpend?: boolean;
}

/**
 * The loader detection used before the series loader (src/db/repositories/detection-series-set.ts): every rollup
 * row up to and including `asOf` as one object, from per-user JSON arrays. Kept to prove the series loader, the
 * hourly pass and the backtest give what detect() gave on it.
 */
export async function loadDetectionInput(db: DbOrTx, asOf: string, opts: LoadOptions = {}): Promise<DetectionInput> {
  if (!isDay(asOf)) throw new DetectionInputError(`asOf "${asOf}" must be a day as YYYY-MM-DD`);
  const from = addDays(asOf, -((opts.days ?? 90) - 1));
  const endOfAsOf = `${addDays(asOf, 1)}T00:00:00.000Z`;

  // One row per user with their days as JSON arrays (a few thousand rows instead of a million), read in the order of
  // the primary keys (user_email, day[, model]), then laid out by day: the same rows, in the same order
  // (day, user_email, model under the database's collation), that `ORDER BY day, user_email` returned row by row.
  const userDays = byDay(await loadUserDays(db, from, asOf));
  const userModelDays = byDay(await loadUserModelDays(db, from, asOf));

  const members = await loadMembers(db, asOf);
  const cycleSpend = await loadCycleSpend(db, endOfAsOf, opts.withoutReportedSpend === true);
  const today = toDay((opts.now ?? new Date()).getTime());
  return { asOf, userDays, userModelDays, members, cycleSpend, partialDay: asOf === today };
}
