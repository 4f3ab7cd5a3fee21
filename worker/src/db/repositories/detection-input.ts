import { addDays, isDay, toDay } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../database';
import type { CycleSpend, DetectionInput, MemberInfo } from '../../detection/input';
import { byDay, loadUserDays, loadUserModelDays } from './detection-series';
import { DetectionInputError } from '../../detection/input';

export interface LoadOptions {
  /** Days of history up to and including asOf (default 90). */
  days?: number;
  /** The clock: asOf equal to today's UTC day marks the input as a partial day. */
  now?: Date;
  /** Leave out Cursor's reported cycle totals (a backtest must not see today's total on an earlier day). */
  withoutReportedSpend?: boolean;
}

/** Reads what detection needs from the rollups, only data up to and including `asOf`. */
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

/** Each developer's first-seen day (detection reads only this from the members). */
export async function loadFirstSeen(db: DbOrTx, asOf: string): Promise<Map<string, string | null>> {
  return new Map((await loadMembers(db, asOf)).map((m) => [m.email, m.firstSeenDay]));
}

async function loadMembers(db: DbOrTx, asOf: string): Promise<MemberInfo[]> {
  // First seen: the earlier of when the member list first showed them and their first day of use up to asOf.
  const memberRows = await sql<{ email: string; first_day: string | null; is_removed: boolean }>`
    WITH first_use AS (
      SELECT user_email, min(day) AS first_day FROM user_daily_rollup WHERE day <= ${asOf} GROUP BY user_email
    )
    SELECT coalesce(m.email, f.user_email) AS email,
           to_char(least((m.first_seen_at AT TIME ZONE 'UTC')::date, f.first_day), 'YYYY-MM-DD') AS first_day,
           coalesce(m.is_removed, false) AS is_removed
    FROM members m FULL JOIN first_use f ON f.user_email = m.email
    ORDER BY 1`.execute(db);
  return memberRows.rows.map((r) => ({ email: r.email, firstSeenDay: r.first_day, isRemoved: r.is_removed }));
}

/** Each member's latest billing cycle that had started by asOf, with Cursor's total as collected by then. */
export async function loadCycleSpend(db: DbOrTx, endOfAsOf: string, withoutReported: boolean): Promise<CycleSpend[]> {
  const rows = await db
    .selectFrom('member_spend')
    .select(['email', 'cycle_start', 'spend_cents', 'collected_at'])
    .where('cycle_start', '<', new Date(endOfAsOf))
    .orderBy('email')
    .orderBy('cycle_start', 'desc')
    .execute();
  const latest = new Map<string, CycleSpend>();
  for (const r of rows) {
    if (latest.has(r.email)) continue;
    const reported = !withoutReported && r.collected_at.getTime() < Date.parse(endOfAsOf);
    latest.set(r.email, {
      email: r.email,
      cycleStart: toDay(r.cycle_start.getTime()),
      spendCents: reported ? r.spend_cents : 0,
    });
  }
  return [...latest.values()];
}
