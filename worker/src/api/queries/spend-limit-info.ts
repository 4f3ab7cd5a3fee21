import { addDays, DAY_MS, toDay, type SpendLimitInfo } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database';
import type { Settings } from '../../settings';
import {
  cycleEndOf,
  featureState,
  forecastOf,
  PACE_DAYS,
  suggestionOf,
  USUAL_WINDOW_DAYS,
} from '../../spend-limits/figures';

const dayOf = (d: Date) => toDay(d.getTime());
import { latestChanges, toSpendLimitChange } from '../../spend-limits/store';
import { ApiHttpError } from '../errors';

type LimitInForce = SpendLimitInfo['limit'];

/** Sum of charged cents of `email` over [first, last] (user_daily_rollup). */
async function chargedBetween(db: DbOrTx, email: string, first: string, last: string): Promise<number> {
  const row = await db
    .selectFrom('user_daily_rollup')
    .select(sql<number>`coalesce(sum(charged_cents), 0)`.as('cents'))
    .where('user_email', '=', email)
    .where('day', '>=', first)
    .where('day', '<=', last)
    .executeTakeFirstOrThrow();
  return Number(row.cents);
}

/** The incident a change is made from: it must exist and be this developer's. */
export async function incidentFor(db: DbOrTx, incidentId: number, email: string) {
  const inc = await db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst();
  if (!inc) throw new ApiHttpError(404, 'not_found', `No incident ${incidentId}`);
  if (inc.scope !== 'user' || inc.subject.toLowerCase() !== email.toLowerCase())
    throw new ApiHttpError(
      400,
      'invalid_request',
      `Incident ${incidentId} is about ${inc.scope === 'user' ? inc.subject : 'the team'}, not ${email}`,
    );
  return inc;
}

/**
 * The limit in force: whichever is newer of the last change made here and the last /teams/spend row Cursor sent
 * (monthlyLimitDollars; null there means no limit). Unknown when neither exists.
 */
export async function limitInForce(db: DbOrTx, email: string): Promise<LimitInForce> {
  const [change] = await latestChanges(db, email, 1);
  const spend = await db
    .selectFrom('member_spend')
    .select(['monthly_limit_dollars', 'hard_limit_override_dollars', 'collected_at'])
    .where('email', '=', email)
    .orderBy('cycle_start', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (change && (!spend || change.at >= spend.collected_at)) {
    return {
      known: true,
      dollars: change.new_dollars,
      source: 'change',
      asOf: change.at.toISOString(),
      explanation: `Set here by ${change.actor} on ${change.at.toISOString().slice(0, 16).replace('T', ' ')} UTC (Cursor confirmed it).`,
    };
  }
  if (spend) {
    const dollars = spend.monthly_limit_dollars === null ? null : Number(spend.monthly_limit_dollars);
    const override = Number(spend.hard_limit_override_dollars ?? 0);
    return {
      known: true,
      dollars,
      source: 'cursor',
      asOf: spend.collected_at.toISOString(),
      explanation:
        `As Cursor reported it (/teams/spend monthlyLimitDollars) at the collection of ${spend.collected_at.toISOString().slice(0, 16).replace('T', ' ')} UTC` +
        (override > 0 ? `; a hard limit override of $${override} also applies.` : '.'),
    };
  }
  return {
    known: false,
    dollars: null,
    source: null,
    asOf: null,
    explanation: 'Not known: no spend row has been collected for this developer and no change was made here.',
  };
}

/** Everything the confirmation dialog shows for one developer (and, from an incident, relative to its onset). */
export async function spendLimitInfo(
  db: DbOrTx,
  email: string,
  o: { now: Date; settings: Settings; demoMode: boolean; incidentId?: number },
): Promise<SpendLimitInfo> {
  const incident = o.incidentId === undefined ? null : await incidentFor(db, o.incidentId, email);
  const member = await db.selectFrom('members').select(['email', 'name']).where('email', '=', email).executeTakeFirst();
  const cycleRow = await db
    .selectFrom('member_spend')
    .select((eb) => eb.fn.max('cycle_start').as('c'))
    .executeTakeFirst();
  const cycleStart = cycleRow?.c ?? null;
  const spend = cycleStart
    ? await db
        .selectFrom('member_spend')
        .select(['spend_cents', 'overall_spend_cents'])
        .where('email', '=', email)
        .where('cycle_start', '=', cycleStart)
        .executeTakeFirst()
    : undefined;
  const today = dayOf(o.now);
  const reference = incident ? dayOf(incident.onset_at) : today;
  const windowFirst = addDays(reference, -USUAL_WINDOW_DAYS);
  const windowLast = addDays(reference, -1);
  const [usualCents, paceCents] = await Promise.all([
    chargedBetween(db, email, windowFirst, windowLast),
    chargedBetween(db, email, addDays(today, -PACE_DAYS), addDays(today, -1)),
  ]);
  if (!member && !spend && usualCents === 0 && paceCents === 0)
    throw new ApiHttpError(404, 'not_found', `No member with the email ${email}`);

  const cycleEnd = cycleStart ? cycleEndOf(cycleStart) : null;
  const cycleSpendCents = spend ? Number(spend.spend_cents) : 0;
  const forecast = forecastOf({ cycleSpendCents, paceCentsPerDay: paceCents / PACE_DAYS, cycleEnd, now: o.now });
  const cycleDays = cycleStart && cycleEnd ? Math.round((cycleEnd.getTime() - cycleStart.getTime()) / DAY_MS) : 30;
  const state = featureState(o.settings.spendLimitFeature, o.demoMode);
  return {
    email,
    name: member?.name ?? null,
    enabled: state.enabled,
    disabledReason: state.reason,
    cycleStart: cycleStart ? cycleStart.toISOString() : null,
    cycleEnd: cycleEnd ? cycleEnd.toISOString() : null,
    cycleSpendCents,
    cycleOverallSpendCents: spend ? Number(spend.overall_spend_cents) : 0,
    forecastCents: forecast.cents,
    forecastExplanation: forecast.explanation,
    limit: await limitInForce(db, email),
    suggestion: suggestionOf({
      usualDailyCents: usualCents / USUAL_WINDOW_DAYS,
      windowFirst,
      windowLast,
      reference: incident ? 'onset' : 'today',
      cycleDays,
      factor: o.settings.spendLimitSuggestionFactor,
    }),
    changes: (await latestChanges(db, email)).map(toSpendLimitChange),
  };
}
