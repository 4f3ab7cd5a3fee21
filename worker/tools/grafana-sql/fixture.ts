import type pg from 'pg';

/**
 * A realistic team loaded straight into the schema with set-based SQL (fast enough for 10M events in the
 * benchmark): usage events with per-user activity and model preferences, weekends, a spike, a model shift and a
 * headless runaway; the rollups computed from the events the way the collector maintains them; daily usage,
 * members, spend, billing groups, collection runs, incidents with their timelines, anomalies, notifications and
 * a team budget. Deterministic for a given seed and clock.
 */
export interface FixtureOptions {
  users: number;
  days: number;
  /** Mean events per active developer per weekday. */
  eventsPerUserDay?: number;
  seed?: number;
  now?: Date;
  /**
   * Keep raw usage events for the last `rawDays` days only; the rollups still cover every day (as after retention).
   * Makes 20,000 developers x 90 days loadable; default: every day.
   */
  rawDays?: number;
  /** Called between steps with a short description (the benchmark prints progress). */
  onStep?: (step: string) => void;
}

export const BUDGET_SETTING_KEY = 'teamBudgetDollars';
/** The collector's endpoint names (worker/src/collector/runs.ts). */
export const ENDPOINTS = ['members', 'billing_groups', 'spend', 'daily_usage', 'usage_events'] as const;

type Queryable = Pick<pg.ClientBase, 'query'>;

/** Days of synthetic rollups generated per statement. */
const CHUNK_DAYS = 10;

/**
 * Rollup rows of days [today - ($1 - 1), today - $4] made straight from each developer's draws in fixture_users ($2
 * the clock, $3 mean events per weekday): each model's share of the day's events and the same prices per event as
 * the events SQL below, without the individual events. The per-developer and per-kind rows; the team and hourly
 * ones are summed from them afterwards, as for events.
 */
const SYNTHETIC_ROLLUPS_SQL = `
  WITH days AS (
    SELECT d::date AS day
    FROM generate_series(($2::timestamptz AT TIME ZONE 'UTC')::date - ($1::int - 1), ($2::timestamptz AT TIME ZONE 'UTC')::date - $4::int, interval '1 day') d
  ),
  user_days AS (
    SELECT u.email, u.opus_fan, u.headless_user, days.day,
           u.rate * $3::numeric * (CASE WHEN extract(isodow FROM days.day) >= 6 THEN 0.15 ELSE 1 END) * (0.6 + 0.8 * random()) AS n
    FROM fixture_users u CROSS JOIN days
  ),
  cells AS (
    SELECT ud.email, ud.day, ud.headless_user, v.model, v.cents, v.tokens,
           round(ud.n * (CASE WHEN v.model = 'claude-4.1-opus' THEN (CASE WHEN ud.opus_fan THEN 0.4 ELSE 0.04 END) ELSE v.w END)
                 / ((CASE WHEN ud.opus_fan THEN 0.4 ELSE 0.04 END) + 0.96) * (0.5 + random()))::int AS events,
           CASE WHEN v.model = 'claude-4.1-opus' THEN 0.35 ELSE 0.05 END AS max_share
    FROM user_days ud
    CROSS JOIN (VALUES ('claude-4.1-opus', 0, 20.0, 42000), ('claude-4.5-sonnet', 0.36, 4.2, 30000), ('gpt-5', 0.17, 2.6, 26000),
                       ('gpt-5-codex', 0.09, 3.1, 31000), ('gemini-2.5-pro', 0.10, 2.1, 28000), ('auto', 0.24, 0.8, 16000)) AS v(model, w, cents, tokens)
  ),
  ins AS (
    INSERT INTO user_model_daily_rollup (user_email, day, model, events, requests_costs, charged_cents, token_fee_cents,
      input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, max_mode_events, headless_events,
      chargeable_events, max_mode_cents, headless_cents)
    SELECT email, day, model, events, round(events * cents / 4, 2), round(events * cents * (1 + 0.3 * max_share), 6),
           round(events * cents * 0.05, 6), (events * tokens * 0.12)::bigint, (events * tokens * 0.04)::bigint,
           (events * tokens * 0.075)::bigint, (events * tokens * 0.55)::bigint, round(events * max_share)::int,
           CASE WHEN headless_user THEN events / 2 ELSE 0 END, round(events * 0.72)::int,
           round(events * cents * 1.3 * max_share, 6), CASE WHEN headless_user THEN round(events * cents / 2, 6) ELSE 0 END
    FROM cells WHERE events > 0
    RETURNING user_email, day, events, requests_costs, charged_cents, chargeable_events
  )
  INSERT INTO user_kind_daily_rollup (user_email, day, kind, events, requests_costs, charged_cents, chargeable_events)
  SELECT user_email, day, k.kind, sum(CASE WHEN k.usage THEN chargeable_events ELSE events - chargeable_events END),
         sum(requests_costs * CASE WHEN k.usage THEN 0.72 ELSE 0.28 END), sum(charged_cents * CASE WHEN k.usage THEN 0.72 ELSE 0.28 END),
         sum(CASE WHEN k.usage THEN chargeable_events ELSE 0 END)
  FROM ins CROSS JOIN (VALUES ('Usage-based', true), ('Included in Business', false)) AS k(kind, usage)
  GROUP BY user_email, day, k.kind`;

/** Each developer's draw: activity rate, and who favours Opus or runs headless agents. $1 = developers. */
const USERS_SQL = `SELECT i, format('dev%s@example.com', lpad(i::text, 5, '0')) AS email,
              -- The spiking developer (7) works at the top of the usual range, so the spike makes them the team's
              -- most expensive developer whatever the other draws are.
              CASE WHEN i = 7 THEN 2.0 ELSE 0.25 + 1.75 * random() END AS rate, i % 17 = 0 AS opus_fan, i % 23 = 0 AS headless_user
       FROM generate_series(1, $1::int) i`;

/**
 * The synthetic usage events of days [today - ($2 - 1), today - $5] into `target`: $1 developers (read from `users`),
 * $3 the clock, $4 mean events per active developer per weekday.
 */
function eventsSql(target: string, users: string): string {
  return `WITH users AS (
       ${users}
     ),
     days AS (
       SELECT d::date AS day
       FROM generate_series(($3::timestamptz AT TIME ZONE 'UTC')::date - ($2::int - 1), ($3::timestamptz AT TIME ZONE 'UTC')::date - $5::int, interval '1 day') d
     ),
     user_days AS (
       SELECT u.*, days.day,
              days.day >= ($3::timestamptz AT TIME ZONE 'UTC')::date - 1 AND u.i = 7 AS spiking,
              days.day >= ($3::timestamptz AT TIME ZONE 'UTC')::date - 9 AND u.i = 13 AS shifted,
              days.day = ($3::timestamptz AT TIME ZONE 'UTC')::date AND u.i = 11 AS runaway,
              round(u.rate * $4::numeric * (CASE WHEN extract(isodow FROM days.day) >= 6 THEN 0.15 ELSE 1 END)
                    * (0.6 + 0.8 * random())
                    * (CASE WHEN u.i = 7 AND days.day >= ($3::timestamptz AT TIME ZONE 'UTC')::date - 1 THEN 8
                            WHEN u.i = 11 AND days.day = ($3::timestamptz AT TIME ZONE 'UTC')::date THEN 12 ELSE 1 END))::int AS n
       FROM users u CROSS JOIN days
       WHERE u.i % 97 <> 0 OR days.day < ($3::timestamptz AT TIME ZONE 'UTC')::date - 3
     ),
     draws AS (
       SELECT ud.email, ud.day, ud.opus_fan, ud.headless_user, ud.spiking, ud.shifted, ud.runaway, k,
              random() AS r_model, random() AS r_size, random() AS r_time, random() AS r_flag, random() AS r_kind
       FROM user_days ud CROSS JOIN LATERAL generate_series(1, ud.n) k
     ),
     picked AS (
       -- One model per draw from cumulative weights; the opus weight depends on who and when.
       SELECT d.*, CASE
                WHEN x.r < x.w_opus THEN 'claude-4.1-opus'
                WHEN x.r < x.w_opus + 0.36 THEN 'claude-4.5-sonnet'
                WHEN x.r < x.w_opus + 0.53 THEN 'gpt-5'
                WHEN x.r < x.w_opus + 0.62 THEN 'gpt-5-codex'
                WHEN x.r < x.w_opus + 0.72 THEN 'gemini-2.5-pro'
                ELSE 'auto' END AS model,
              d.day::timestamp AT TIME ZONE 'UTC' + d.r_time * interval '24 hours' AS ts
       FROM draws d
       CROSS JOIN LATERAL (
         SELECT w_opus, d.r_model * (w_opus + 0.96) AS r
         FROM (SELECT CASE WHEN d.shifted OR d.spiking THEN 1.4 WHEN d.opus_fan THEN 0.4 ELSE 0.04 END AS w_opus) w
       ) x
     ),
     chosen AS (
       SELECT pk.*, v.cents, v.tokens,
              pk.r_flag < (CASE WHEN pk.model = 'claude-4.1-opus' THEN 0.35 ELSE 0.05 END) AS max_mode,
              (pk.headless_user AND pk.r_kind < 0.5) OR pk.runaway AS headless
       FROM picked pk
       JOIN (VALUES ('claude-4.1-opus', 20.0, 42000), ('claude-4.5-sonnet', 4.2, 30000), ('gpt-5', 2.6, 26000),
                    ('gpt-5-codex', 3.1, 31000), ('gemini-2.5-pro', 2.1, 28000), ('auto', 0.8, 16000)) AS v(model, cents, tokens)
         ON v.model = pk.model
     )
     INSERT INTO ${target} (event_ts, dedupe_key, day, user_email, model, kind, max_mode, requests_costs,
       is_token_based_call, is_chargeable, is_headless, input_tokens, output_tokens, cache_write_tokens,
       cache_read_tokens, token_total_cents, charged_cents, cursor_token_fee, conversation_id)
     SELECT ts, sha256(convert_to(email || ts::text || k::text, 'UTF8')), day, email, model,
            CASE WHEN r_kind < 0.72 THEN 'Usage-based' ELSE 'Included in Business' END,
            max_mode,
            round((cents * (0.4 + 1.2 * r_size) * CASE WHEN max_mode THEN 1.3 ELSE 1 END / 4)::numeric, 2),
            true, r_kind < 0.72, headless,
            (tokens * 0.12 * (0.5 + r_size))::bigint, (tokens * 0.04 * (0.5 + r_size))::bigint,
            (tokens * 0.15 * r_flag)::bigint, (tokens * 0.69 * (0.3 + r_size))::bigint,
            round((cents * (0.4 + 1.2 * r_size) * CASE WHEN max_mode THEN 1.3 ELSE 1 END * 0.95)::numeric, 6),
            round((cents * (0.4 + 1.2 * r_size) * CASE WHEN max_mode THEN 1.3 ELSE 1 END)::numeric, 6),
            round((cents * (0.4 + 1.2 * r_size) * CASE WHEN max_mode THEN 1.3 ELSE 1 END * 0.05)::numeric, 6),
            'conv_' || md5(email || day::text || (k / 6)::text)
     FROM chosen
     WHERE ts <= $3::timestamptz`;
}

/** The rollups the collector keeps from events, computed from the events in `source` (sql/001, 005, 011). */
async function insertEventRollups(client: Queryable, source: string): Promise<void> {
  await client.query(
    `INSERT INTO user_model_daily_rollup (user_email, day, model, events, requests_costs, charged_cents, token_fee_cents,
       input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, max_mode_events, headless_events,
       chargeable_events, max_mode_cents, headless_cents)
     SELECT user_email, day, model, count(*), sum(requests_costs), sum(charged_cents), sum(cursor_token_fee),
            sum(input_tokens), sum(output_tokens), sum(cache_write_tokens), sum(cache_read_tokens),
            count(*) FILTER (WHERE max_mode), count(*) FILTER (WHERE is_headless), count(*) FILTER (WHERE is_chargeable),
            coalesce(sum(charged_cents) FILTER (WHERE max_mode), 0), coalesce(sum(charged_cents) FILTER (WHERE is_headless), 0)
     FROM ${source} GROUP BY user_email, day, model`,
  );
  await client.query(
    `INSERT INTO hourly_rollup (hour, model, events, charged_cents, total_tokens)
     SELECT date_trunc('hour', event_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', model, count(*), sum(charged_cents),
            sum(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens)
     FROM ${source} GROUP BY 1, 2`,
  );
  await client.query(
    `INSERT INTO user_kind_daily_rollup (user_email, day, kind, events, requests_costs, charged_cents, chargeable_events)
     SELECT user_email, day, kind, count(*), sum(requests_costs), sum(charged_cents), count(*) FILTER (WHERE is_chargeable)
     FROM ${source} GROUP BY user_email, day, kind`,
  );
}

/** The per-developer tables the fixture fills in bulk: their indexes are built once after the load. */
const BULK_TABLES = ['user_model_daily_rollup', 'user_kind_daily_rollup', 'user_daily_rollup', 'member_group_days'];

/**
 * Drops the indexes and primary keys of `tables` and returns the statements that put them back as they were (their
 * definitions as PostgreSQL prints them). Inserting tens of millions of rows into a b-tree keyed by developer first
 * writes all over the index; building it once afterwards sorts instead (20,000 developers x 90 days loads in
 * minutes, not half an hour).
 */
async function dropIndexes(client: Queryable, tables: string[]): Promise<string[]> {
  const keys = await client.query<{ tbl: string; name: string; def: string }>(
    `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def
     FROM pg_constraint c WHERE c.contype = 'p' AND c.conrelid = ANY ($1::regclass[])`,
    [tables],
  );
  const indexes = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i WHERE i.indrelid = ANY ($1::regclass[]) AND NOT i.indisprimary`,
    [tables],
  );
  for (const i of indexes.rows) await client.query(`DROP INDEX ${i.name}`);
  for (const k of keys.rows) await client.query(`ALTER TABLE ${k.tbl} DROP CONSTRAINT ${k.name}`);
  return [
    ...keys.rows.map((k) => `ALTER TABLE ${k.tbl} ADD CONSTRAINT ${k.name} ${k.def}`),
    ...indexes.rows.map((i) => i.def),
  ];
}

export async function loadDashboardFixture(client: Queryable, opts: FixtureOptions): Promise<void> {
  const now = opts.now ?? new Date();
  const perDay = opts.eventsPerUserDay ?? 22;
  const step = opts.onStep ?? (() => {});
  const p = { users: opts.users, days: opts.days, now: now.toISOString(), perDay };

  // setseed applies to this session: every random() below is reproducible.
  await client.query('SELECT setseed($1)', [((opts.seed ?? 42) % 1000) / 1000]);
  await client.query(
    `SELECT ensure_usage_event_partitions($1::timestamptz - make_interval(days => $2::int + 1), $1::timestamptz)`,
    [p.now, p.days],
  );

  step('members and groups');
  await client.query(
    `INSERT INTO members (email, cursor_user_id, name, role, is_removed, first_seen_at, last_seen_at, removed_at)
     SELECT format('dev%s@example.com', lpad(i::text, 5, '0')), 'user_' || md5(i::text), format('Developer %s', i),
            CASE WHEN i = 1 THEN 'owner' ELSE 'member' END, i % 97 = 0,
            $2::timestamptz - interval '120 days', $2::timestamptz,
            CASE WHEN i % 97 = 0 THEN $2::timestamptz - interval '3 days' END
     FROM generate_series(1, $1::int) i`,
    [p.users, p.now],
  );
  await client.query(
    `INSERT INTO billing_groups (group_id, name, billing_cycle)
     VALUES ('grp_platform', 'Platform', date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC')::date),
            ('grp_web', 'Web', date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC')::date),
            ('grp_mobile', 'Mobile', date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC')::date),
            ('grp_data', 'Data & ML', date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC')::date)`,
    [p.now],
  );
  // One developer in five belongs to no group: "All" must still count them.
  await client.query(
    `INSERT INTO billing_group_members (group_id, email)
     SELECT (ARRAY['grp_platform', 'grp_web', 'grp_mobile', 'grp_data'])[i % 5], format('dev%s@example.com', lpad(i::text, 5, '0'))
     FROM generate_series(1, $1::int) i WHERE i % 5 <> 0`,
    [p.users],
  );

  const restoreIndexes = await dropIndexes(client, BULK_TABLES);
  if (opts.rawDays === undefined || opts.rawDays >= p.days) {
    step('usage events');
    await client.query(eventsSql('usage_events', USERS_SQL), [p.users, p.days, p.now, p.perDay, 0]);
    step('rollups');
    await insertEventRollups(client, 'usage_events');
  } else {
    // Raw events only for the last rawDays days (as after retention); the older days get their rollup rows straight
    // from the same per-developer draws (generating 40M events first takes too long for a benchmark run).
    await client.query(`CREATE TEMP TABLE fixture_users AS ${USERS_SQL}`, [p.users]);
    for (let last = p.days - 1; last >= opts.rawDays; last -= CHUNK_DAYS) {
      const first = Math.max(opts.rawDays, last - CHUNK_DAYS + 1);
      step(`rollups, days ${p.days - last} to ${p.days - first} of ${p.days}`);
      await client.query(SYNTHETIC_ROLLUPS_SQL, [last + 1, p.now, p.perDay, first]);
    }
    step(`usage events of the last ${opts.rawDays} days`);
    await client.query(eventsSql('usage_events', 'SELECT * FROM fixture_users WHERE i <= $1::int'), [
      p.users,
      opts.rawDays,
      p.now,
      p.perDay,
      0,
    ]);
    await insertEventRollups(client, 'usage_events');
    await client.query('DROP TABLE fixture_users');
  }
  await client.query(
    `INSERT INTO user_daily_rollup (user_email, day, events, requests_costs, charged_cents, token_fee_cents,
       input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, max_mode_events, headless_events,
       chargeable_events, max_mode_cents, headless_cents)
     SELECT user_email, day, sum(events), sum(requests_costs), sum(charged_cents), sum(token_fee_cents),
            sum(input_tokens), sum(output_tokens), sum(cache_write_tokens), sum(cache_read_tokens),
            sum(max_mode_events), sum(headless_events), sum(chargeable_events), sum(max_mode_cents), sum(headless_cents)
     FROM user_model_daily_rollup GROUP BY user_email, day`,
  );
  await client.query(
    `INSERT INTO model_daily_rollup (day, model, events, requests_costs, charged_cents, token_fee_cents, input_tokens,
       output_tokens, cache_write_tokens, cache_read_tokens, max_mode_events, headless_events, chargeable_events,
       max_mode_cents, headless_cents)
     SELECT day, model, sum(events), sum(requests_costs), sum(charged_cents), sum(token_fee_cents), sum(input_tokens),
            sum(output_tokens), sum(cache_write_tokens), sum(cache_read_tokens), sum(max_mode_events), sum(headless_events),
            sum(chargeable_events), sum(max_mode_cents), sum(headless_cents)
     FROM user_model_daily_rollup GROUP BY day, model`,
  );
  if (opts.rawDays !== undefined && opts.rawDays < p.days) {
    // The synthetic days' hourly rows: each model's day spread evenly over its 24 hours.
    await client.query(
      `INSERT INTO hourly_rollup (hour, model, events, charged_cents, total_tokens)
       SELECT (t.day + make_interval(hours => h))::timestamp AT TIME ZONE 'UTC', t.model, t.events / 24, t.charged_cents / 24,
              (t.input_tokens + t.output_tokens + t.cache_write_tokens + t.cache_read_tokens) / 24
       FROM model_daily_rollup t CROSS JOIN generate_series(0, 23) h
       WHERE t.day <= ($1::timestamptz AT TIME ZONE 'UTC')::date - $2::int`,
      [p.now, opts.rawDays],
    );
  }

  // Chargeback (sql/011_chargeback.sql): the per-kind rollup, and each grouped developer's group per day; developer 2
  // moved from Web to Data & ML ten days ago.
  await client.query(
    `INSERT INTO member_group_days (email, day, group_id)
     SELECT g.email, r.day,
            CASE WHEN g.email = 'dev00002@example.com' AND r.day > ($1::timestamptz AT TIME ZONE 'UTC')::date - 10
                 THEN 'grp_data' ELSE g.group_id END
     FROM billing_group_members g JOIN user_daily_rollup r ON r.user_email = g.email`,
    [p.now],
  );

  step('rollup indexes');
  for (const statement of restoreIndexes) await client.query(statement);

  step('daily usage, spend, group spend');
  await client.query(
    `INSERT INTO daily_usage (email, day, is_active, total_lines_added, total_lines_deleted, accepted_lines_added,
       accepted_lines_deleted, total_applies, total_accepts, total_rejects, total_tabs_shown, total_tabs_accepted,
       composer_requests, chat_requests, agent_requests, cmdk_usages, usage_based_reqs, subscription_included_reqs,
       most_used_model, client_version)
     SELECT r.user_email, r.day, true, r.events * 41, r.events * 12, r.events * 26, r.events * 7, r.events, (r.events * 0.8)::int,
            (r.events * 0.2)::int, r.events * 6, (r.events * 2.4)::int, (r.events * 0.22)::int, (r.events * 0.2)::int,
            (r.events * 0.48)::int, (r.events * 0.1)::int, r.chargeable_events, r.events - r.chargeable_events,
            (SELECT m.model FROM user_model_daily_rollup m WHERE m.user_email = r.user_email AND m.day = r.day ORDER BY m.events DESC LIMIT 1),
            '2.1.' || (length(r.user_email) % 7)
     FROM user_daily_rollup r`,
  );
  await client.query(
    `INSERT INTO member_spend (email, cycle_start, spend_cents, overall_spend_cents, fast_premium_requests, monthly_limit_dollars, collected_at)
     SELECT m.email, date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
            coalesce(sum(r.charged_cents) FILTER (WHERE r.chargeable_events > 0), 0) * 0.72,
            coalesce(sum(r.charged_cents), 0), coalesce(sum(r.events), 0)::int, 200, $1::timestamptz
     FROM members m
     LEFT JOIN user_daily_rollup r ON r.user_email = m.email AND r.day >= date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC')::date
     GROUP BY m.email`,
    [p.now],
  );
  await client.query(
    `INSERT INTO billing_group_daily_spend (group_id, day, spend_cents)
     SELECT g.group_id, r.day, sum(r.charged_cents) FROM billing_group_members g JOIN user_daily_rollup r ON r.user_email = g.email
     GROUP BY 1, 2`,
  );
  await client.query(
    `UPDATE billing_groups g SET spend_cents = coalesce((SELECT sum(s.spend_cents) FROM billing_group_daily_spend s
       WHERE s.group_id = g.group_id AND s.day >= g.billing_cycle), 0)`,
  );

  step('collection runs');
  await client.query(
    `INSERT INTO collection_runs (run_id, endpoint, trigger, status, window_start, window_end, pages, rows_fetched, rows_new,
       rows_updated, rate_limited, retries, started_at, finished_at, duration_ms, error, watermark)
     SELECT md5(h::text)::uuid, e.endpoint, 'schedule', CASE WHEN (n + e.ord) % 37 = 0 THEN 'failed' ELSE 'ok' END,
            h - interval '1 hour', h, 1 + n % 4, 50 + (n * 7) % 400, (n * 7) % 300, n % 5,
            CASE WHEN n % 11 = 0 AND e.endpoint = 'usage_events' THEN 2 ELSE 0 END, CASE WHEN n % 11 = 0 THEN 2 ELSE 0 END,
            h + interval '2 minutes', h + interval '2 minutes' + (e.ord * 3 + n % 20) * interval '1 second',
            (e.ord * 3 + n % 20) * 1000,
            CASE WHEN (n + e.ord) % 37 = 0 THEN 'HTTP 500 from Cursor: An unexpected error occurred' END,
            CASE WHEN (n + e.ord) % 37 <> 0 THEN h END
     FROM generate_series(date_trunc('hour', $1::timestamptz) - interval '14 days', date_trunc('hour', $1::timestamptz) - interval '1 hour', interval '1 hour')
          WITH ORDINALITY AS hours(h, n)
     CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS e(endpoint, ord)`,
    [p.now, ENDPOINTS],
  );
  // A drifting answer (sql/006_schema_drift.sql) in the last day's billing-group runs, for the Schema drift panel.
  await client.query(
    `UPDATE collection_runs SET drift = $2::jsonb
     WHERE endpoint = 'billing_groups' AND started_at > $1::timestamptz - interval '1 day'`,
    [
      p.now,
      JSON.stringify([
        {
          endpoint: 'GET /teams/groups',
          field: 'groups[].type',
          kind: 'unknown field',
          message: 'not in the documented shape (kept, not used)',
          example: '"manual"',
          count: 4,
        },
      ]),
    ],
  );
  // Audit log (sql/007_audit_logs.sql): every developer added 20 days ago, dev00007's limit raised 2 days ago.
  await client.query(
    `INSERT INTO audit_logs (event_id, event_ts, event_type, category, actor_email, target_email, event_data)
     SELECT 'evt_add_' || m.email, $1::timestamptz - interval '20 days', 'member_added', 'membership', 'lead@example.com',
            m.email, jsonb_build_object('member_email', m.email, 'role', 'member')
     FROM members m
     UNION ALL
     SELECT 'evt_limit_dev7', $1::timestamptz - interval '2 days', 'settings_changed', 'spend_limit', 'lead@example.com',
            'dev00007@example.com',
            '{"setting_name": "user_spend_limit", "target_email": "dev00007@example.com", "old_value": 100, "new_value": 300}'::jsonb`,
    [p.now],
  );
  await client.query(
    `INSERT INTO collection_watermarks (endpoint, watermark, updated_at)
     SELECT endpoint, max(watermark), max(finished_at) FROM collection_runs WHERE status = 'ok' GROUP BY endpoint`,
  );

  step('incidents');
  const dev = (i: number) => `dev${String(i).padStart(5, '0')}@example.com`;
  await loadIncidentFixture(client, {
    now,
    days: opts.days,
    spike: dev(7),
    modelShift: dev(13),
    runaway: dev(11),
    others: Array.from({ length: Math.min(40, opts.users) }, (_, i) => dev(i + 1)),
  });
  // A budget the current pace overruns, so the forecast panel and alert have something to say.
  await client.query(
    `INSERT INTO settings (key, value, updated_by)
     SELECT $1, to_jsonb(greatest(100, round(coalesce(sum(charged_cents), 0) / 100 * 0.6))), 'fixture'
     FROM user_daily_rollup WHERE day > ($2::timestamptz AT TIME ZONE 'UTC')::date - 30`,
    [BUDGET_SETTING_KEY, p.now],
  );
  // The current cycle's chargeback tables (sql/021) on the cycle the spend above reports, as the collector does at the
  // end of a pass.
  step('chargeback cycle');
  await client.query('SELECT follow_chargeback_cycle()');
  // The rollups kept by triggers (sql/019, 020, 021) were updated by every batch of days above: vacuumed, as
  // autovacuum keeps these small, often-updated tables, so their index-only scans find their pages all-visible.
  await client.query(
    'VACUUM user_monthly_rollup, user_model_monthly_rollup, group_daily_rollup, group_model_daily_rollup, ' +
      'team_daily_developers, chargeback_cycle_developers, chargeback_cycle_group_models',
  );
  await client.query('ANALYZE');
}

export interface IncidentFixture {
  now: Date;
  days: number;
  /** Subjects of the three open incidents: a critical spike, a model shift, an acknowledged runaway agent. */
  spike: string;
  modelShift: string;
  runaway: string;
  /** Subjects of the resolved history. */
  others: string[];
}

/**
 * Incidents with their timelines, anomalies and notifications: three open ones, then a resolved history spread
 * over the period with every resolution reason (what the detection pass and people produce over weeks).
 */
export async function loadIncidentFixture(client: Queryable, f: IncidentFixture): Promise<void> {
  const { now, days } = f;
  await client.query(
    `INSERT INTO incidents (scope, subject, detector, status, severity, max_severity, onset_at, detected_at, last_detected_at,
       alerted_at, acknowledged_at, acknowledged_by, observed, expected, band_low, band_high, unit, impact_cents, top_model, why, summary)
     VALUES
       ('user', $2, 'spike', 'alerted', 'critical', 'critical', $1::timestamptz - interval '30 hours',
        $1::timestamptz - interval '29 hours', $1::timestamptz - interval '1 hour', $1::timestamptz - interval '29 hours', NULL, NULL,
        48000, 5200, 1000, 9800, 'cents', 42800, 'claude-4.1-opus', '{"ratio": 9.2}', 'Spend 9.2x the 7-day average, mostly claude-4.1-opus'),
       ('user', $3, 'model_shift', 'open', 'warning', 'warning', $1::timestamptz - interval '9 days',
        $1::timestamptz - interval '8 days', $1::timestamptz - interval '2 hours', NULL, NULL, NULL,
        0.61, 0.05, 0, 0.15, 'share', 18300, 'claude-4.1-opus', '{"from": 0.05, "to": 0.61}', 'Opus share from 5% to 61%'),
       ('user', $4, 'runaway_agent', 'acknowledged', 'warning', 'critical', $1::timestamptz - interval '10 hours',
        $1::timestamptz - interval '9 hours', $1::timestamptz - interval '1 hour', $1::timestamptz - interval '9 hours',
        $1::timestamptz - interval '6 hours', 'lead@example.com',
        9100, 600, 100, 1500, 'cents', 8500, 'claude-4.5-sonnet', '{"headlessShare": 0.97}', 'Headless agent spend 15x normal')`,
    [now.toISOString(), f.spike, f.modelShift, f.runaway],
  );
  await client.query(
    `INSERT INTO incidents (scope, subject, detector, status, severity, max_severity, onset_at, detected_at, last_detected_at,
       alerted_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by, resolution_reason, observed, expected,
       unit, impact_cents, top_model, summary)
     SELECT CASE WHEN k % 9 = 0 THEN 'team' ELSE 'user' END,
            CASE WHEN k % 9 = 0 THEN 'team' ELSE ($3::text[])[1 + (k * 7) % cardinality($3::text[])] END,
            (ARRAY['spike', 'zscore', 'threshold', 'drift', 'model_shift', 'level_shift'])[1 + k % 6], 'resolved',
            (ARRAY['warning', 'info', 'critical'])[1 + k % 3], (ARRAY['warning', 'info', 'critical'])[1 + k % 3],
            onset, onset + (20 + k % 50) * interval '1 minute', onset + interval '3 hours', onset + (25 + k % 50) * interval '1 minute',
            onset + (2 + k % 7) * interval '1 hour', 'lead@example.com', onset + (6 + k % 40) * interval '1 hour', 'lead@example.com',
            (ARRAY['fixed', 'expected', 'false_positive', 'fixed', 'auto'])[1 + k % 5], 3000 + k * 10, 900, 'cents',
            1000 + (k * 337) % 9000, 'claude-4.5-sonnet', 'Resolved history'
     FROM generate_series(1, greatest(3, $2::int / 2)) k
     CROSS JOIN LATERAL (SELECT $1::timestamptz - (k * 2 + 2) * interval '1 day' + (k % 5) * interval '1 hour' AS onset) o`,
    [now.toISOString(), days, f.others],
  );
  await client.query(
    `INSERT INTO incident_events (incident_id, at, actor, action, from_status, to_status)
     SELECT id, detected_at, 'detector', 'opened', NULL, 'open' FROM incidents
     UNION ALL SELECT id, alerted_at, 'system', 'alerted', 'open', 'alerted' FROM incidents WHERE alerted_at IS NOT NULL
     UNION ALL SELECT id, acknowledged_at, acknowledged_by, 'acknowledged', 'alerted', 'acknowledged' FROM incidents WHERE acknowledged_at IS NOT NULL
     UNION ALL SELECT id, resolved_at, resolved_by, 'resolved', 'acknowledged', 'resolved' FROM incidents WHERE resolved_at IS NOT NULL`,
  );
  await client.query(
    `INSERT INTO anomalies (as_of, scope, subject, detector, severity, onset_at, observed, expected, unit, impact_cents, incident_id, detected_at)
     SELECT (detected_at AT TIME ZONE 'UTC')::date, scope, subject, detector, severity, onset_at, observed, expected, unit,
            impact_cents, id, detected_at
     FROM incidents`,
  );
  await client.query(
    `INSERT INTO notifications (channel, kind, incident_ids, status, attempts, last_error, payload, dedupe_key, created_at, sent_at)
     SELECT (ARRAY['slack', 'email', 'webhook'])[1 + i.id % 3], 'alert', ARRAY[i.id],
            CASE WHEN i.id % 7 = 0 THEN 'failed' ELSE 'sent' END, CASE WHEN i.id % 7 = 0 THEN 10 ELSE 1 END,
            CASE WHEN i.id % 7 = 0 THEN 'connect ECONNREFUSED' END, '{}'::jsonb, 'alert:' || i.id, i.alerted_at,
            CASE WHEN i.id % 7 <> 0 THEN i.alerted_at + interval '3 seconds' END
     FROM incidents i WHERE i.alerted_at IS NOT NULL`,
  );
}
