import { sql } from 'kysely';
import type { Db } from '../../src/db/database';
import type { DetectionInput } from '../../src/detection';
import { SCENARIOS } from '../scenarios/catalog';
import { generateScenario, type Scenario } from '../scenarios/team';
import { storeTeam } from './database';
import { tile } from './tile';

/** Developers stored from the generated team before the copies by SQL (t<copy>#<email>) make up larger sizes. */
export const BASE = 1_000;

/** bench:detect-pass's team: the generated T2-weekend team (bench/scenarios) tiled to BASE developers. */
export function detectPassTeam(): { base: Scenario; input: DetectionInput; asOf: string } {
  const base = generateScenario(SCENARIOS.find((s) => s.name === 'T2-weekend')!);
  return { base, input: tile(base, BASE), asOf: base.shape.lastDay };
}

/** Stores the team's BASE developers (rollups and members); returns how many copies are stored (1). */
export async function storeDetectPassTeam(db: Db, team: ReturnType<typeof detectPassTeam>): Promise<number> {
  await storeTeam(db, team.input, team.base.firstDay);
  return 1;
}

/**
 * More developers: the stored ones copied under new emails by SQL (t<copy>#<email>), fast at 20k. `copies` are
 * stored; returns how many are after (enough for `developers`).
 */
export async function growDetectPassTeam(db: Db, copies: number, developers: number): Promise<number> {
  const want = Math.ceil(developers / BASE);
  if (want <= copies) return copies;
  for (const table of ['user_daily_rollup', 'user_model_daily_rollup'] as const)
    await sql`INSERT INTO ${sql.table(table)} (user_email, ${sql.raw(columnsAfterEmail(table))})
      SELECT 't' || k || '#' || r.user_email, ${sql.raw(columnsAfterEmail(table))}
      FROM ${sql.table(table)} r, generate_series(${copies}::int, ${want - 1}::int) k
      WHERE r.user_email NOT LIKE '%#%'`.execute(db);
  await sql`INSERT INTO members (email, first_seen_at)
    SELECT 't' || k || '#' || m.email, m.first_seen_at FROM members m, generate_series(${copies}::int, ${want - 1}::int) k
    WHERE m.email NOT LIKE '%#%'`.execute(db);
  await sql`VACUUM ANALYZE`.execute(db);
  return want;
}

/** What is stored: user-days, user-model-days, developers. */
export async function storedCounts(db: Db): Promise<{ d: number; m: number; u: number }> {
  const counts = await sql<{ d: number; m: number; u: number }>`
    SELECT (SELECT count(*) FROM user_daily_rollup)::int AS d, (SELECT count(*) FROM user_model_daily_rollup)::int AS m,
           (SELECT count(DISTINCT user_email) FROM user_daily_rollup)::int AS u`.execute(db);
  return counts.rows[0];
}

function columnsAfterEmail(table: 'user_daily_rollup' | 'user_model_daily_rollup'): string {
  const common =
    'events, requests_costs, charged_cents, token_fee_cents, input_tokens, output_tokens, cache_write_tokens, ' +
    'cache_read_tokens, max_mode_events, headless_events, chargeable_events, max_mode_cents, headless_cents';
  return table === 'user_daily_rollup' ? `day, ${common}` : `day, model, ${common}`;
}
