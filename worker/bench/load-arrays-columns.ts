import { sql } from 'kysely';
import type { DbOrTx } from '../src/db/database';
import type { UserDay, UserModelDay } from '../src/detection/types';

/** A user's rows as parallel arrays, ordered by day (then model): one JSON document per user. */
interface UserDayColumns {
  email: string;
  day: string[];
  events: number[];
  requestsCosts: number[];
  chargedCents: number[];
  totalTokens: number[];
  maxModeEvents: number[];
  headlessEvents: number[];
  maxModeCents: number[];
  headlessCents: number[];
}

interface UserModelDayColumns {
  email: string;
  day: string[];
  model: string[];
  events: number[];
  chargedCents: number[];
  totalTokens: number[];
}

// json_agg writes numeric and bigint as JSON numbers, which JSON.parse reads to the same double that pool.ts's
// parseFloat / parseInt type parsers give for the row-by-row text; dates as "YYYY-MM-DD".
// The json column is parsed by pg's JSON type parser. Users come ordered by email under the database's collation.

/** user_daily_rollup between `from` and `to` (inclusive), one row per user, each ordered by day. */
export async function loadUserDays(db: DbOrTx, from: string, to: string): Promise<UserDay[][]> {
  const { rows } = await sql<{ email: string; c: Omit<UserDayColumns, 'email'> }>`
    SELECT user_email AS email, json_build_object(
      'day', json_agg(day ORDER BY day),
      'events', json_agg(events ORDER BY day),
      'requestsCosts', json_agg(requests_costs ORDER BY day),
      'chargedCents', json_agg(charged_cents ORDER BY day),
      'totalTokens', json_agg(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens ORDER BY day),
      'maxModeEvents', json_agg(max_mode_events ORDER BY day),
      'headlessEvents', json_agg(headless_events ORDER BY day),
      'maxModeCents', json_agg(max_mode_cents ORDER BY day),
      'headlessCents', json_agg(headless_cents ORDER BY day)) AS c
    FROM user_daily_rollup WHERE day >= ${from} AND day <= ${to}
    GROUP BY user_email ORDER BY user_email`.execute(db);
  return rows.map(({ email, c }) =>
    c.day.map((day, i) => ({
      email,
      day,
      events: c.events[i],
      requestsCosts: c.requestsCosts[i],
      chargedCents: c.chargedCents[i],
      totalTokens: c.totalTokens[i],
      maxModeEvents: c.maxModeEvents[i],
      headlessEvents: c.headlessEvents[i],
      maxModeCents: c.maxModeCents[i],
      headlessCents: c.headlessCents[i],
    })),
  );
}

/** user_model_daily_rollup between `from` and `to`, one row per user, each ordered by day then model. */
export async function loadUserModelDays(db: DbOrTx, from: string, to: string): Promise<UserModelDay[][]> {
  const { rows } = await sql<{ email: string; c: Omit<UserModelDayColumns, 'email'> }>`
    SELECT user_email AS email, json_build_object(
      'day', json_agg(day ORDER BY day, model),
      'model', json_agg(model ORDER BY day, model),
      'events', json_agg(events ORDER BY day, model),
      'chargedCents', json_agg(charged_cents ORDER BY day, model),
      'totalTokens', json_agg(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens ORDER BY day, model)) AS c
    FROM user_model_daily_rollup WHERE day >= ${from} AND day <= ${to}
    GROUP BY user_email ORDER BY user_email`.execute(db);
  return rows.map(({ email, c }) =>
    c.day.map((day, i) => ({
      email,
      day,
      model: c.model[i],
      events: c.events[i],
      chargedCents: c.chargedCents[i],
      totalTokens: c.totalTokens[i],
    })),
  );
}

/**
 * Interleaves per-user series (users in email order, each by day) into one list ordered by day, then user, keeping
 * each user's order within a day: what `ORDER BY day, user_email[, model]` returns.
 */
export function byDay<T extends { day: string }>(perUser: T[][]): T[] {
  const days = new Map<string, T[]>();
  for (const series of perUser)
    for (const row of series) {
      let bucket = days.get(row.day);
      if (!bucket) days.set(row.day, (bucket = []));
      bucket.push(row);
    }
  const out: T[] = [];
  for (const day of [...days.keys()].sort()) for (const row of days.get(day)!) out.push(row);
  return out;
}
