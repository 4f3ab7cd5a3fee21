-- Chargeback (issue #15): spend per billing group and developer per billing cycle, split into included and
-- usage-based (on-demand) spend, with each day attributed to the group the developer was in THAT day. Cursor's rule
-- (cursor.com/docs/account/enterprise/billing-groups, "Billing group architecture"): a member is in one billing group
-- at a time, members in no group are in the reserved "Unassigned" group, usage is attributed to the group at the time
-- it occurs, history does not move when people move, and a deleted group's usage moves to Unassigned.

-- Per developer, day and event kind ("Included in Business", "Usage-based", "Errored, Not Charged", ...): the split
-- /teams/spend reports as overallSpendCents (all) and spendCents (on-demand). Same measures as the other daily
-- rollups, moved with them (sql/017, worker/src/collector/rollup-pending.ts).
CREATE TABLE user_kind_daily_rollup (
  user_email          text NOT NULL,
  day                 date NOT NULL,
  kind                text NOT NULL,
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
  PRIMARY KEY (user_email, day, kind)
);
CREATE INDEX user_kind_daily_rollup_day_idx ON user_kind_daily_rollup (day);

-- A database that already holds events gets its history from them.
INSERT INTO user_kind_daily_rollup (user_email, day, kind, events, requests_costs, charged_cents, token_fee_cents,
  input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, max_mode_events, headless_events,
  chargeable_events, max_mode_cents, headless_cents)
SELECT user_email, day, kind, count(*), sum(requests_costs), sum(charged_cents), sum(cursor_token_fee),
  sum(input_tokens), sum(output_tokens), sum(cache_write_tokens), sum(cache_read_tokens),
  count(*) FILTER (WHERE max_mode), count(*) FILTER (WHERE is_headless), count(*) FILTER (WHERE is_chargeable),
  coalesce(sum(charged_cents) FILTER (WHERE max_mode), 0), coalesce(sum(charged_cents) FILTER (WHERE is_headless), 0)
FROM usage_events
GROUP BY user_email, day, kind;

-- The billing group each developer was in, per UTC day, as the collector saw it (worker/src/chargeback/
-- membership.ts): GET /teams/groups lists only current members, so history is what was observed. Each collection
-- sets today's row (the latest listing of the day wins) and fills the cycle's earlier days that have no row yet.
CREATE TABLE member_group_days (
  email     text NOT NULL,
  day       date NOT NULL,
  group_id  text NOT NULL,
  PRIMARY KEY (email, day)
);
CREATE INDEX member_group_days_day_idx ON member_group_days (day, group_id);

-- One row per developer and day with spend: the group that day (a day without a known group, or whose group has
-- since been deleted, is Unassigned, group_id NULL) and the day's spend split by kind. What the API and the
-- dashboards' Chargeback row read.
CREATE VIEW chargeback_user_days AS
SELECT k.user_email,
       k.day,
       g.group_id,
       coalesce(g.name, 'Unassigned') AS group_name,
       sum(k.charged_cents) AS charged_cents,
       coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) LIKE 'usage%'), 0) AS usage_based_cents,
       coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) NOT LIKE 'usage%'), 0) AS included_cents,
       sum(k.events)::bigint AS requests,
       sum(k.requests_costs) AS request_units
FROM user_kind_daily_rollup k
LEFT JOIN member_group_days m ON m.email = k.user_email AND m.day = k.day
LEFT JOIN billing_groups g ON g.group_id = m.group_id
GROUP BY k.user_email, k.day, g.group_id, g.name;

GRANT SELECT ON user_kind_daily_rollup, member_group_days, chargeback_user_days TO grafana_reader;
