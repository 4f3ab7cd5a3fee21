import {
  DAY_MS,
  USER_LIST_MAX_INCIDENTS,
  USER_LIST_TREND_DAYS,
  type UserDetail,
  type UserList,
  type UserSummary,
  toDay,
} from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database';
import { ApiHttpError } from '../errors';
import { toIncident } from '../serialize';
import { containsPattern } from './like';

const TREND_DAYS = 30;
const dayOf = (d: Date) => toDay(d.getTime());

async function latestCycle(db: DbOrTx): Promise<Date | null> {
  const row = await db
    .selectFrom('member_spend')
    .select((eb) => eb.fn.max('cycle_start').as('c'))
    .executeTakeFirst();
  return row?.c ?? null;
}

/** Members of the latest billing cycle ranked by on-demand spend (1 = highest). */
function rankedSpend(db: DbOrTx, cycle: Date | null) {
  return db
    .selectFrom('member_spend')
    .select([
      'email',
      'spend_cents',
      'overall_spend_cents',
      sql<number>`rank() OVER (ORDER BY spend_cents DESC)`.as('rank'),
    ])
    .where('cycle_start', '=', cycle ?? new Date(0));
}

function openIncidentCount() {
  return sql<number>`(SELECT count(*) FROM incidents i WHERE i.scope = 'user' AND i.subject = m.email AND i.status <> 'resolved')`;
}

const SEVERITY_RANK = sql<number>`CASE severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END`;

/** The listed members' daily spend over the trend window, zeros on quiet days. */
async function trends(db: DbOrTx, emails: string[], now: Date) {
  const first = dayOf(new Date(now.getTime() - (USER_LIST_TREND_DAYS - 1) * DAY_MS));
  const rows = emails.length
    ? await db
        .selectFrom('user_daily_rollup')
        .select(['user_email', 'day', 'charged_cents'])
        .where('user_email', 'in', emails)
        .where('day', '>=', first)
        .where('day', '<=', dayOf(now))
        .execute()
    : [];
  const cents = new Map(rows.map((r) => [`${r.user_email} ${r.day}`, Number(r.charged_cents)]));
  const days = Array.from({ length: USER_LIST_TREND_DAYS }, (_, i) =>
    dayOf(new Date(Date.parse(`${first}T00:00:00Z`) + i * DAY_MS)),
  );
  return (email: string) => days.map((day) => ({ day, chargedCents: cents.get(`${email} ${day}`) ?? 0 }));
}

/** The listed members' open incidents, most severe and largest first, a few each. */
async function openIncidentLists(db: DbOrTx, emails: string[]) {
  const rows = emails.length
    ? await db
        .selectFrom('incidents')
        .select(['id', 'subject', 'severity', 'detector', 'impact_cents'])
        .where('scope', '=', 'user')
        .where('subject', 'in', emails)
        .where('status', '<>', 'resolved')
        .orderBy(SEVERITY_RANK, 'desc')
        .orderBy('impact_cents', 'desc')
        .orderBy('id')
        .execute()
    : [];
  const by = new Map<string, NonNullable<UserSummary['openIncidentList']>>();
  for (const r of rows) {
    const list = by.get(r.subject) ?? [];
    if (list.length < USER_LIST_MAX_INCIDENTS)
      list.push({ id: r.id, severity: r.severity, detector: r.detector, impactCents: Number(r.impact_cents) });
    by.set(r.subject, list);
  }
  return (email: string) => by.get(email) ?? [];
}

/**
 * Members whose email or name contains `search`, highest spend first, each with their share of the team's cycle
 * spend, a daily trend and their open incidents (the Users page reads it at a glance).
 */
export async function searchUsers(
  db: DbOrTx,
  { search, limit }: { search?: string; limit: number },
  now: Date = new Date(),
): Promise<UserList> {
  const cycle = await latestCycle(db);
  let q = db
    .selectFrom('members as m')
    .leftJoin(rankedSpend(db, cycle).as('s'), 's.email', 'm.email')
    .select([
      'm.email',
      'm.name',
      'm.is_removed',
      sql<number>`coalesce(s.spend_cents, 0)`.as('spend_cents'),
      's.rank',
      openIncidentCount().as('open_incidents'),
    ]);
  if (search) {
    const p = containsPattern(search);
    q = q.where((eb) => eb.or([eb('m.email', 'ilike', p), eb('m.name', 'ilike', p)]));
  }
  const rows = await q
    .orderBy(sql`coalesce(s.spend_cents, 0)`, 'desc')
    .orderBy('m.email')
    .limit(limit)
    .execute();
  const team = await db
    .selectFrom('member_spend')
    .select((eb) => [eb.fn.countAll<number>().as('n'), sql<string>`coalesce(sum(spend_cents), 0)`.as('cents')])
    .where('cycle_start', '=', cycle ?? new Date(0))
    .executeTakeFirstOrThrow();
  const teamCents = Number(team.cents);
  const emails = rows.map((r) => r.email);
  const [trendOf, incidentsOf] = await Promise.all([trends(db, emails, now), openIncidentLists(db, emails)]);
  return {
    items: rows.map((r) => ({
      email: r.email,
      name: r.name,
      isRemoved: r.is_removed,
      spendCents: Number(r.spend_cents),
      rank: r.rank === null ? null : Number(r.rank),
      openIncidents: Number(r.open_incidents),
      shareOfTeam: teamCents > 0 ? Number(r.spend_cents) / teamCents : null,
      trend: trendOf(r.email),
      openIncidentList: incidentsOf(r.email),
    })),
    cycleStart: cycle ? cycle.toISOString() : null,
    members: cycle ? Number(team.n) : 0,
    teamSpendCents: teamCents,
  };
}

/** One member: this cycle's spend and rank, a 30-day daily trend (zeros on quiet days) and their incidents. */
export async function userDetail(db: DbOrTx, email: string, now: Date): Promise<UserDetail> {
  const cycle = await latestCycle(db);
  const member = await db.selectFrom('members').selectAll().where('email', '=', email).executeTakeFirst();
  const spend = await db
    .selectFrom(rankedSpend(db, cycle).as('s'))
    .selectAll()
    .where('email', '=', email)
    .executeTakeFirst();
  if (!member && !spend) throw new ApiHttpError(404, 'not_found', `No member with the email ${email}`);
  const first = dayOf(new Date(now.getTime() - (TREND_DAYS - 1) * DAY_MS));
  const [days, incidents, count] = await Promise.all([
    db
      .selectFrom('user_daily_rollup')
      .select(['day', 'charged_cents', 'events'])
      .where('user_email', '=', email)
      .where('day', '>=', first)
      .where('day', '<=', dayOf(now))
      .execute(),
    db
      .selectFrom('incidents')
      .selectAll()
      .where('scope', '=', 'user')
      .where('subject', '=', email)
      .orderBy('detected_at', 'desc')
      .limit(100)
      .execute(),
    db
      .selectFrom('member_spend')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cycle_start', '=', cycle ?? new Date(0))
      .executeTakeFirstOrThrow(),
  ]);
  const byDay = new Map(days.map((d) => [d.day, d]));
  const trend = Array.from({ length: TREND_DAYS }, (_, i) => {
    const day = dayOf(new Date(Date.parse(`${first}T00:00:00Z`) + i * DAY_MS));
    const d = byDay.get(day);
    return { day, chargedCents: d ? Number(d.charged_cents) : 0, events: d ? Number(d.events) : 0 };
  });
  return {
    email,
    name: member?.name ?? null,
    role: member?.role ?? 'member',
    isRemoved: member?.is_removed ?? false,
    cycleStart: cycle ? cycle.toISOString() : null,
    spendCents: spend ? Number(spend.spend_cents) : 0,
    overallSpendCents: spend ? Number(spend.overall_spend_cents) : 0,
    rank: spend ? Number(spend.rank) : null,
    members: Number(count.n),
    trend,
    openIncidents: incidents.filter((i) => i.status !== 'resolved').length,
    incidents: incidents.map(toIncident),
  };
}
