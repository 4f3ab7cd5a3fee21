import { toDay } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../database';
import type { CycleSpend, MemberInfo } from '../../detection/input';

/** Each developer's first-seen day (detection reads only this from the members). */
export async function loadFirstSeen(db: DbOrTx, asOf: string): Promise<Map<string, string | null>> {
  return new Map((await loadMembers(db, asOf)).map((m) => [m.email, m.firstSeenDay]));
}

export async function loadMembers(db: DbOrTx, asOf: string): Promise<MemberInfo[]> {
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
