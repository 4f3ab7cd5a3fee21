-- Issue #13: the overview's three current-cycle chargeback panels attributed every developer-day of the cycle to that
-- day's group (chargeback_user_days, sql/011) on each load: at 20,000 developers a 28-day cycle is ~560k
-- developer-days and ~1.1M kind rows, 1-5 s of backend CPU per panel. These are the same sums per developer and group
-- for the current cycle only (a row per developer, two when they moved group mid-cycle) and per group and model, so
-- a panel sums ~20k rows at most.
--
-- "The current cycle" is the panels' own rule (the latest cycle_start POST /teams/spend reported, else the calendar
-- month), evaluated when the view is refreshed, and stored in every row (cycle_start): a panel reads the view only
-- when that is still the current cycle, and otherwise computes from the per-day rows as before, so a new cycle
-- never shows the last one's figures. Refreshed with the per-group rollups (sql/015) at the end of every collection
-- pass (worker/src/collector/group-rollups.ts); between a pass's writes and its refresh the panels show the
-- previous pass.

-- Per cycle, developer and the group they were in on those days (no group, or a deleted one: Unassigned, NULL).
-- The cycle's bounds are scalar subqueries, index conditions on both the kind rollup and the group-days.
CREATE MATERIALIZED VIEW chargeback_cycle_developers AS
WITH cycle AS (
  SELECT coalesce(max((s.cycle_start AT TIME ZONE 'UTC')::date), date_trunc('month', now() AT TIME ZONE 'UTC')::date) AS start
  FROM member_spend s
)
SELECT (SELECT start FROM cycle) AS cycle_start,
       k.user_email,
       g.group_id,
       coalesce(g.name, 'Unassigned') AS group_name,
       sum(k.charged_cents) AS charged_cents,
       coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) LIKE 'usage%'), 0) AS usage_based_cents,
       coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) NOT LIKE 'usage%'), 0) AS included_cents,
       sum(k.events)::bigint AS requests
FROM user_kind_daily_rollup k
LEFT JOIN member_group_days m ON m.email = k.user_email AND m.day = k.day
  AND m.day >= (SELECT start FROM cycle) AND m.day < (SELECT (start + interval '1 month')::date FROM cycle)
LEFT JOIN billing_groups g ON g.group_id = m.group_id
WHERE k.day >= (SELECT start FROM cycle) AND k.day < (SELECT (start + interval '1 month')::date FROM cycle)
GROUP BY k.user_email, g.group_id, g.name;

-- Unique (Unassigned's NULL included), so REFRESH ... CONCURRENTLY can run while Grafana reads it.
CREATE UNIQUE INDEX chargeback_cycle_developers_key ON chargeback_cycle_developers (user_email, group_id) NULLS NOT DISTINCT;
CREATE INDEX chargeback_cycle_developers_group_idx ON chargeback_cycle_developers (group_id);

-- Per cycle, group (as above, each developer-day in that day's group) and model: each group's top model.
CREATE MATERIALIZED VIEW chargeback_cycle_group_models AS
WITH cycle AS (
  SELECT coalesce(max((s.cycle_start AT TIME ZONE 'UTC')::date), date_trunc('month', now() AT TIME ZONE 'UTC')::date) AS start
  FROM member_spend s
)
SELECT (SELECT start FROM cycle) AS cycle_start,
       g.group_id,
       r.model,
       sum(r.charged_cents) AS charged_cents
FROM user_model_daily_rollup r
LEFT JOIN member_group_days m ON m.email = r.user_email AND m.day = r.day
  AND m.day >= (SELECT start FROM cycle) AND m.day < (SELECT (start + interval '1 month')::date FROM cycle)
LEFT JOIN billing_groups g ON g.group_id = m.group_id
WHERE r.day >= (SELECT start FROM cycle) AND r.day < (SELECT (start + interval '1 month')::date FROM cycle)
GROUP BY g.group_id, r.model;

CREATE UNIQUE INDEX chargeback_cycle_group_models_key ON chargeback_cycle_group_models (group_id, model) NULLS NOT DISTINCT;

GRANT SELECT ON chargeback_cycle_developers, chargeback_cycle_group_models TO grafana_reader;

-- The per-developer rankings ("Top spenders", "Daily spend by developer") sum every developer's days in the range:
-- 600k rows over 30 days at 20,000 developers, 7.3M over a year. Each developer's spend per calendar month, and each
-- month's first and last stored day: a panel takes a month from here when its stored days all lie in the range, and
-- the range's other days from the daily rollup (two days for the last 30 days at the end of a month). Refreshed
-- with the views above; rollup_months after user_monthly_rollup, which it reads.
CREATE MATERIALIZED VIEW user_monthly_rollup AS
SELECT date_trunc('month', r.day)::date AS month,
       r.user_email,
       min(r.day) AS first_day,
       max(r.day) AS last_day,
       sum(r.charged_cents) AS charged_cents
FROM user_daily_rollup r
GROUP BY 1, 2;

CREATE UNIQUE INDEX user_monthly_rollup_key ON user_monthly_rollup (month, user_email);

CREATE MATERIALIZED VIEW rollup_months AS
SELECT month, min(first_day) AS first_day, max(last_day) AS last_day
FROM user_monthly_rollup
GROUP BY month;

CREATE UNIQUE INDEX rollup_months_key ON rollup_months (month);

GRANT SELECT ON user_monthly_rollup, rollup_months TO grafana_reader;
