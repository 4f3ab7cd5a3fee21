import { DAY_MS } from '@cursor-cost-watch/contract';
import type { Db } from '../../src/db/database';

export const dayPlus = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

export interface ModelUse {
  model: string;
  cents: number;
  requests: number;
  maxModeCents?: number;
  maxModeRequests?: number;
}

/** One developer's usage per day, written to both daily rollups (what the collector maintains). */
export async function seedUsage(db: Db, email: string, from: string, to: string, perDay: (day: string) => ModelUse[]) {
  const daily = [];
  const perModel = [];
  for (let day = from; day <= to; day = dayPlus(day, 1)) {
    const uses = perDay(day);
    if (uses.length === 0) continue;
    const sum = (f: (u: ModelUse) => number) => uses.reduce((s, u) => s + f(u), 0);
    daily.push({
      user_email: email,
      day,
      events: sum((u) => u.requests),
      charged_cents: sum((u) => u.cents),
      max_mode_cents: sum((u) => u.maxModeCents ?? 0),
      max_mode_events: sum((u) => u.maxModeRequests ?? 0),
    });
    for (const u of uses)
      perModel.push({
        user_email: email,
        day,
        model: u.model,
        events: u.requests,
        charged_cents: u.cents,
        max_mode_cents: u.maxModeCents ?? 0,
        max_mode_events: u.maxModeRequests ?? 0,
      });
  }
  if (daily.length > 0) await db.insertInto('user_daily_rollup').values(daily).execute();
  if (perModel.length > 0) await db.insertInto('user_model_daily_rollup').values(perModel).execute();
}

export const ONSET = '2026-11-20';

/**
 * ana: $15 a day on gpt-5 (15¢ a request) for four weeks, then from ONSET $90 a day: $72 on claude-4-opus
 * (120 requests, 60¢ each) of which $20 in max mode, and $18 on gpt-5. Teammates: bo $10 a day on claude-4-opus
 * (25 requests, 40¢ each), cy $12 and di $20 on gpt-5. So: usual $15, team median $12, opus the team's 40¢.
 */
export async function seedTeamUsage(db: Db, devs: string[] = ['ana@example.com']) {
  const start = dayPlus(ONSET, -28);
  const end = dayPlus(ONSET, 5);
  for (const dev of devs)
    await seedUsage(db, dev, start, end, (day) =>
      day < ONSET
        ? [{ model: 'gpt-5', cents: 1500, requests: 100 }]
        : [
            { model: 'claude-4-opus', cents: 7200, requests: 120, maxModeCents: 2000, maxModeRequests: 30 },
            { model: 'gpt-5', cents: 1800, requests: 80 },
          ],
    );
  await seedUsage(db, 'bo@team.example', start, end, () => [{ model: 'claude-4-opus', cents: 1000, requests: 25 }]);
  await seedUsage(db, 'cy@team.example', start, end, () => [{ model: 'gpt-5', cents: 1200, requests: 80 }]);
  await seedUsage(db, 'di@team.example', start, end, () => [{ model: 'gpt-5', cents: 2000, requests: 130 }]);
}
