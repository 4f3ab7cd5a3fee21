import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import type { BillingGroup } from '../cursor/schemas';

/**
 * Records which billing group each listed member is in, per UTC day (sql/011_chargeback.sql, member_group_days).
 * GET /teams/groups lists a group's current members only, so the history is what the collector observed: `today`'s
 * row is set to the group listed now (the last listing of a day wins: a move shows from the day it was first seen,
 * which with hourly collection is the day it happened), and the days since the member's last recorded day (or, for
 * a member never seen, since `fillFrom`, the backfill's first day) that have no row yet get the same group. A member
 * listed in no group gets no row: that day is Unassigned, as Cursor files members of no group. Cursor allows one
 * group per member (cursor.com/docs/account/enterprise/billing-groups); were one listed twice, the first group by
 * id wins so a day is never counted twice.
 */
export async function recordGroupDays(
  db: DbOrTx,
  groups: BillingGroup[],
  today: string,
  fillFrom: string,
): Promise<number> {
  const byEmail = new Map<string, string>();
  for (const g of [...groups].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    for (const m of g.members) {
      const email = m.email.toLowerCase();
      if (!byEmail.has(email)) byEmail.set(email, g.id);
    }
  if (byEmail.size === 0) return 0;
  const emails = [...byEmail.keys()].sort();
  const groupIds = emails.map((e) => byEmail.get(e)!);
  await sql`
    INSERT INTO member_group_days (email, day, group_id)
    SELECT i.email, d::date, i.group_id
    FROM unnest(${emails}::text[], ${groupIds}::text[]) AS i(email, group_id)
    LEFT JOIN LATERAL (SELECT max(m.day) AS last FROM member_group_days m WHERE m.email = i.email) l ON true
    CROSS JOIN LATERAL generate_series(coalesce(l.last + 1, ${fillFrom}::date), ${today}::date - 1, interval '1 day') d
    ORDER BY 1, 2
    ON CONFLICT (email, day) DO NOTHING`.execute(db);
  const changed = await sql`
    INSERT INTO member_group_days (email, day, group_id)
    SELECT email, ${today}::date, group_id FROM unnest(${emails}::text[], ${groupIds}::text[]) AS i(email, group_id)
    ON CONFLICT (email, day) DO UPDATE SET group_id = excluded.group_id
    WHERE member_group_days.group_id IS DISTINCT FROM excluded.group_id`.execute(db);
  return Number(changed.numAffectedRows ?? 0);
}
