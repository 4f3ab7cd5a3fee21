-- Collected Cursor data. Money is kept in cents as numeric (Cursor sends fractional cents).
-- Everything is keyed by email: it is the one identifier every Cursor endpoint shares.

CREATE TABLE members (
  email           text PRIMARY KEY,
  cursor_user_id  text,                       -- encoded string id (older API versions sent a number)
  name            text,
  role            text NOT NULL DEFAULT 'member',
  is_removed      boolean NOT NULL DEFAULT false,
  first_seen_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  removed_at      timestamptz                 -- when we first saw the member removed
);

-- One row per member per billing cycle, overwritten by each collection (the cycle's running total).
CREATE TABLE member_spend (
  email                            text NOT NULL,
  cycle_start                      timestamptz NOT NULL,
  spend_cents                      numeric(18,6) NOT NULL,   -- on-demand spend only
  overall_spend_cents              numeric(18,6) NOT NULL,   -- includes included usage
  fast_premium_requests            integer,
  hard_limit_override_dollars      numeric(12,2),
  monthly_limit_dollars            numeric(12,2),
  effective_per_user_limit_dollars numeric(12,2),
  collected_at                     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (email, cycle_start)
);
CREATE INDEX member_spend_cycle_idx ON member_spend (cycle_start);

-- One row per member per UTC day; recent days are restated by Cursor, so rows are upserted.
CREATE TABLE daily_usage (
  email                      text NOT NULL,
  day                        date NOT NULL,
  cursor_user_id             text,
  is_active                  boolean NOT NULL DEFAULT false,
  total_lines_added          integer NOT NULL DEFAULT 0,
  total_lines_deleted        integer NOT NULL DEFAULT 0,
  accepted_lines_added       integer NOT NULL DEFAULT 0,
  accepted_lines_deleted     integer NOT NULL DEFAULT 0,
  total_applies              integer NOT NULL DEFAULT 0,
  total_accepts              integer NOT NULL DEFAULT 0,
  total_rejects              integer NOT NULL DEFAULT 0,
  total_tabs_shown           integer NOT NULL DEFAULT 0,
  total_tabs_accepted        integer NOT NULL DEFAULT 0,
  composer_requests          integer NOT NULL DEFAULT 0,
  chat_requests              integer NOT NULL DEFAULT 0,
  agent_requests             integer NOT NULL DEFAULT 0,
  cmdk_usages                integer NOT NULL DEFAULT 0,
  subscription_included_reqs integer NOT NULL DEFAULT 0,
  api_key_reqs               integer NOT NULL DEFAULT 0,
  usage_based_reqs           integer NOT NULL DEFAULT 0,
  bugbot_usages              integer NOT NULL DEFAULT 0,
  most_used_model            text,
  apply_most_used_extension  text,
  tab_most_used_extension    text,
  client_version             text,
  collected_at               timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (email, day)
);
CREATE INDEX daily_usage_day_idx ON daily_usage (day);

-- Usage events, partitioned by month on the event time. Cursor's events carry no id: dedupe_key is a
-- SHA-256 of the fields that identify a call (see worker/src/collector/dedupe.ts). Partitions are created
-- by ensure_usage_event_partitions() before each insert. The primary key (event_ts first) serves time-range scans.
CREATE TABLE usage_events (
  event_ts             timestamptz NOT NULL,
  dedupe_key           bytea NOT NULL,
  day                  date NOT NULL,           -- UTC day of event_ts, the rollups' key
  user_email           text NOT NULL,
  model                text NOT NULL,
  kind                 text NOT NULL,
  max_mode             boolean NOT NULL DEFAULT false,
  requests_costs       numeric(14,4) NOT NULL DEFAULT 0,
  is_token_based_call  boolean NOT NULL DEFAULT false,
  is_chargeable        boolean NOT NULL DEFAULT false,
  is_headless          boolean NOT NULL DEFAULT false,
  input_tokens         bigint NOT NULL DEFAULT 0,
  output_tokens        bigint NOT NULL DEFAULT 0,
  cache_write_tokens   bigint NOT NULL DEFAULT 0,
  cache_read_tokens    bigint NOT NULL DEFAULT 0,
  token_total_cents    numeric(14,6) NOT NULL DEFAULT 0,
  discount_percent_off numeric(6,2),
  charged_cents        numeric(14,6) NOT NULL DEFAULT 0,
  cursor_token_fee     numeric(14,6) NOT NULL DEFAULT 0,
  conversation_id      text,
  service_account_id   text,
  service_account_name text,
  cloud_agent_id       text,
  automation_id        text,
  is_free_bugbot       boolean,
  collected_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_ts, dedupe_key)
) PARTITION BY RANGE (event_ts);
CREATE INDEX usage_events_user_ts_idx ON usage_events (user_email, event_ts);

CREATE FUNCTION ensure_usage_event_partitions(from_ts timestamptz, to_ts timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', from_ts AT TIME ZONE 'UTC')::date;
  name text;
BEGIN
  WHILE m <= (to_ts AT TIME ZONE 'UTC')::date LOOP
    name := format('usage_events_%s', to_char(m, 'YYYY_MM'));
    IF to_regclass(name) IS NULL THEN
      BEGIN
        EXECUTE format(
          'CREATE TABLE %I PARTITION OF usage_events FOR VALUES FROM (%L) TO (%L)',
          name, (m::timestamp AT TIME ZONE 'UTC'), ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
      EXCEPTION WHEN duplicate_table THEN NULL;  -- another worker created it first
      END;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
END $$;

-- Rollups of the events, moved by what each page changed once a day's pages are stored (sql/017).
CREATE TABLE user_daily_rollup (
  user_email          text NOT NULL,
  day                 date NOT NULL,
  events              integer NOT NULL DEFAULT 0,
  requests_costs      numeric(16,4) NOT NULL DEFAULT 0,
  charged_cents       numeric(18,6) NOT NULL DEFAULT 0,
  token_fee_cents     numeric(18,6) NOT NULL DEFAULT 0,
  input_tokens        bigint NOT NULL DEFAULT 0,
  output_tokens       bigint NOT NULL DEFAULT 0,
  cache_write_tokens  bigint NOT NULL DEFAULT 0,
  cache_read_tokens   bigint NOT NULL DEFAULT 0,
  max_mode_events     integer NOT NULL DEFAULT 0,
  headless_events     integer NOT NULL DEFAULT 0,
  chargeable_events   integer NOT NULL DEFAULT 0,
  max_mode_cents      numeric(18,6) NOT NULL DEFAULT 0,
  headless_cents      numeric(18,6) NOT NULL DEFAULT 0,
  PRIMARY KEY (user_email, day)
);
CREATE INDEX user_daily_rollup_day_idx ON user_daily_rollup (day);

CREATE TABLE user_model_daily_rollup (
  user_email          text NOT NULL,
  day                 date NOT NULL,
  model               text NOT NULL,
  events              integer NOT NULL DEFAULT 0,
  requests_costs      numeric(16,4) NOT NULL DEFAULT 0,
  charged_cents       numeric(18,6) NOT NULL DEFAULT 0,
  token_fee_cents     numeric(18,6) NOT NULL DEFAULT 0,
  input_tokens        bigint NOT NULL DEFAULT 0,
  output_tokens       bigint NOT NULL DEFAULT 0,
  cache_write_tokens  bigint NOT NULL DEFAULT 0,
  cache_read_tokens   bigint NOT NULL DEFAULT 0,
  max_mode_events     integer NOT NULL DEFAULT 0,
  headless_events     integer NOT NULL DEFAULT 0,
  chargeable_events   integer NOT NULL DEFAULT 0,
  max_mode_cents      numeric(18,6) NOT NULL DEFAULT 0,
  headless_cents      numeric(18,6) NOT NULL DEFAULT 0,
  PRIMARY KEY (user_email, day, model)
);
CREATE INDEX user_model_daily_rollup_day_idx ON user_model_daily_rollup (day, model);

-- Team-wide events per hour (dashboards' "events per hour" and sub-day panels).
CREATE TABLE hourly_rollup (
  hour           timestamptz NOT NULL,
  model          text NOT NULL,
  events         integer NOT NULL DEFAULT 0,
  charged_cents  numeric(18,6) NOT NULL DEFAULT 0,
  total_tokens   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, model)
);

-- Billing groups (GET /teams/groups) so spend can be cut by team.
CREATE TABLE billing_groups (
  group_id     text PRIMARY KEY,
  name         text NOT NULL,
  spend_cents  numeric(18,6) NOT NULL DEFAULT 0,
  billing_cycle date,
  collected_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE billing_group_members (
  group_id text NOT NULL REFERENCES billing_groups (group_id) ON DELETE CASCADE,
  email    text NOT NULL,
  PRIMARY KEY (group_id, email)
);
CREATE INDEX billing_group_members_email_idx ON billing_group_members (email);
CREATE TABLE billing_group_daily_spend (
  group_id    text NOT NULL REFERENCES billing_groups (group_id) ON DELETE CASCADE,
  day         date NOT NULL,
  spend_cents numeric(18,6) NOT NULL DEFAULT 0,
  PRIMARY KEY (group_id, day)
);

-- Analytics API (only when CURSOR_ANALYTICS_API_KEY is set).
CREATE TABLE analytics_dau (
  day          date PRIMARY KEY,
  dau          integer NOT NULL,
  collected_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE analytics_model_usage (
  day          date NOT NULL,
  model        text NOT NULL,
  messages     integer NOT NULL DEFAULT 0,
  users        integer NOT NULL DEFAULT 0,
  collected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (day, model)
);

-- One row per endpoint per collection pass.
CREATE TABLE collection_runs (
  id            bigserial PRIMARY KEY,
  run_id        uuid NOT NULL,                 -- groups the endpoints of one pass
  endpoint      text NOT NULL,
  trigger       text NOT NULL,                 -- schedule | backfill | manual | cli
  status        text NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
  window_start  timestamptz,
  window_end    timestamptz,
  pages         integer NOT NULL DEFAULT 0,
  rows_fetched  integer NOT NULL DEFAULT 0,
  rows_new      integer NOT NULL DEFAULT 0,
  rows_updated  integer NOT NULL DEFAULT 0,
  rate_limited  integer NOT NULL DEFAULT 0,    -- 429 answers seen
  retries       integer NOT NULL DEFAULT 0,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  duration_ms   integer,
  error         text,
  watermark     timestamptz                    -- the watermark after this run
);
CREATE INDEX collection_runs_endpoint_idx ON collection_runs (endpoint, started_at DESC);

-- How far each endpoint has been collected; advanced in the same transaction as the data.
CREATE TABLE collection_watermarks (
  endpoint   text PRIMARY KEY,
  watermark  timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
