import {
  SEVERITIES,
  SEVERITY_RANK,
  type IncidentList,
  type incidentListQuerySchema,
} from '@cursor-cost-watch/contract';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { z } from 'zod';
import type { Database, DbOrTx } from '../../db/database';
import { toIncident } from '../serialize';
import { containsPattern } from './like';

export type IncidentFilters = z.output<typeof incidentListQuerySchema>;
type Base = SelectQueryBuilder<Database, 'incidents', object>;

/** Filters shared by the page and its count. The time range keeps incidents active during it (onset to resolution). */
function applyFilters(q: Base, f: IncidentFilters, now: Date): Base {
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.severity?.length) q = q.where('severity', 'in', f.severity);
  if (f.detector?.length) q = q.where('detector', 'in', f.detector);
  if (f.user) q = q.where('scope', '=', 'user').where('subject', 'ilike', containsPattern(f.user));
  if (f.team) {
    const team = f.team;
    q = q.where((eb) =>
      eb.or([
        eb.and([
          eb('scope', '=', 'user'),
          eb('subject', 'in', eb.selectFrom('billing_group_members').select('email').where('group_id', '=', team)),
        ]),
        eb.and([eb('scope', '=', 'team'), eb('subject', '=', team)]),
      ]),
    );
  }
  if (f.to) q = q.where('onset_at', '<=', new Date(f.to));
  if (f.from) q = q.where((eb) => eb(eb.fn.coalesce('resolved_at', eb.val(now)), '>=', new Date(f.from!)));
  return q;
}

// The contract's severity order, as SQL (severity is a text column).
const SEVERITY_ORDER = sql<number>`CASE severity ${sql.join(
  SEVERITIES.map((s) => sql`WHEN ${sql.lit(s)} THEN ${sql.lit(SEVERITY_RANK[s])}`),
  sql` `,
)} END`;

export async function listIncidents(db: DbOrTx, f: IncidentFilters, now: Date): Promise<IncidentList> {
  const base = applyFilters(db.selectFrom('incidents'), f, now);
  const sortKey = f.sort === 'severity' ? SEVERITY_ORDER : sql.ref(f.sort);
  const dir = f.order === 'asc' ? sql`ASC` : sql`DESC`;
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy(sql`${sortKey} ${dir}`)
      .orderBy('id', f.order)
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toIncident), total: Number(count.n), page: f.page, pageSize: f.pageSize };
}
