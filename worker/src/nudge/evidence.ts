import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import { computeEvidence, type NudgeEvidence } from './evidence-math';

const DAY_MS = 86_400_000;
/** The developer's "usual" and the team's usual cost per model come from this many days before the onset. */
export const BASELINE_DAYS = 28;
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** Reads the rollups a nudge needs (user_daily_rollup, user_model_daily_rollup) and computes its figures. */
export async function loadNudgeEvidence(
  db: DbOrTx,
  { email, onsetDay, lastDay }: { email: string; onsetDay: string; lastDay: string },
): Promise<NudgeEvidence> {
  const start = addDays(onsetDay, -BASELINE_DAYS);
  const beforeEnd = addDays(onsetDay, -1);
  const [devDays, team, models, teamModels] = await Promise.all([
    db
      .selectFrom('user_daily_rollup')
      .select(['day', 'charged_cents', 'events', 'max_mode_cents', 'max_mode_events'])
      .where('user_email', '=', email)
      .where('day', '>=', start)
      .where('day', '<=', lastDay)
      .orderBy('day')
      .execute(),
    db
      .selectFrom('user_daily_rollup')
      .select(['user_email', sql<string>`avg(charged_cents)`.as('per_day')])
      .where('user_email', '<>', email)
      .where('day', '>=', onsetDay)
      .where('day', '<=', lastDay)
      .where('events', '>', 0)
      .groupBy('user_email')
      .execute(),
    db
      .selectFrom('user_model_daily_rollup')
      .select([
        'model',
        sql<boolean>`day >= ${onsetDay}::date`.as('after'),
        sql<string>`sum(charged_cents)`.as('cents'),
        sql<string>`sum(events)`.as('requests'),
      ])
      .where('user_email', '=', email)
      .where('day', '>=', start)
      .where('day', '<=', lastDay)
      .groupBy(['model', sql`day >= ${onsetDay}::date`])
      .execute(),
    db
      .selectFrom('user_model_daily_rollup')
      .select(['model', sql<string>`sum(charged_cents)`.as('cents'), sql<string>`sum(events)`.as('requests')])
      .where('user_email', '<>', email)
      .where('day', '>=', start)
      .where('day', '<=', beforeEnd)
      .groupBy('model')
      .execute(),
  ]);
  const totals = (after: boolean) =>
    models
      .filter((m) => m.after === after)
      .map((m) => ({ model: m.model, cents: Number(m.cents), requests: Number(m.requests) }));
  return computeEvidence({
    email,
    onsetDay,
    lastDay,
    devDays: devDays.map((d) => ({
      day: d.day,
      cents: Number(d.charged_cents),
      requests: Number(d.events),
      maxModeCents: Number(d.max_mode_cents),
      maxModeRequests: Number(d.max_mode_events),
    })),
    teamPerDay: team.map((t) => Number(t.per_day)),
    modelsBefore: totals(false),
    modelsAfter: totals(true),
    teamModelUsual: new Map(
      teamModels.map((m) => [m.model, { cents: Number(m.cents), requests: Number(m.requests) }]),
    ),
  });
}
