import { addDays } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import { computeEvidence, type NudgeEvidence } from './evidence-math';

/** The developer's "usual" and the team's usual cost per model come from this many days before the onset. */
export const BASELINE_DAYS = 28;

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
      .select(['model', 'day', 'charged_cents', 'events'])
      .where('user_email', '=', email)
      .where('day', '>=', start)
      .where('day', '<=', lastDay)
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
  // One developer's days × models over five weeks: a few hundred rows at most, summed here.
  const totals = (after: boolean) => {
    const byModel = new Map<string, { model: string; cents: number; requests: number }>();
    for (const m of models) {
      if (m.day >= onsetDay !== after) continue;
      const t = byModel.get(m.model) ?? { model: m.model, cents: 0, requests: 0 };
      t.cents += Number(m.charged_cents);
      t.requests += Number(m.events);
      byModel.set(m.model, t);
    }
    return [...byModel.values()];
  };
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
    teamModelUsual: new Map(teamModels.map((m) => [m.model, { cents: Number(m.cents), requests: Number(m.requests) }])),
  });
}
