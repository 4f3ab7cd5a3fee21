import type { DbOrTx } from '../../src/db/database';
import type { DetectionInput } from '../../src/detection/input';

/**
 * Writes a DetectionInput's rows into the two rollups loadDetectionInput reads (the inverse of load.ts), so a
 * benchmark or a test can run the real pass on series it built. Members are left to the caller.
 */
export async function storeDetectionInput(
  db: DbOrTx,
  input: Pick<DetectionInput, 'userDays' | 'userModelDays'>,
): Promise<void> {
  const days = input.userDays.map((r) => ({
    user_email: r.email,
    day: r.day,
    events: r.events,
    requests_costs: r.requestsCosts,
    charged_cents: r.chargedCents,
    input_tokens: r.totalTokens,
    max_mode_events: r.maxModeEvents,
    headless_events: r.headlessEvents,
    max_mode_cents: r.maxModeCents,
    headless_cents: r.headlessCents,
  }));
  // Chunks keep each statement well under Postgres's 65,535-parameter limit.
  for (let i = 0; i < days.length; i += 2000)
    await db
      .insertInto('user_daily_rollup')
      .values(days.slice(i, i + 2000))
      .execute();
  const models = input.userModelDays.map((r) => ({
    user_email: r.email,
    day: r.day,
    model: r.model,
    events: r.events,
    charged_cents: r.chargedCents,
    input_tokens: r.totalTokens,
  }));
  for (let i = 0; i < models.length; i += 5000)
    await db
      .insertInto('user_model_daily_rollup')
      .values(models.slice(i, i + 5000))
      .execute();
}
