-- Issue #13: the overview with a billing group selected summed the group members' per-developer rollup rows (1,000
-- developers x 30 days x models: ~150k index entries for "Spend by model", ~30k for the daily panels), which grows
-- with the group. These are the same sums per billing group, day (and model): a handful of rows per day whatever the
-- group's size. A developer counts in the groups Cursor lists them in now (billing_group_members), as the panels'
-- filter always did; a developer in no group is in no row (the "All" panels read the team rollups).
--
-- Also the team's developers with usage per day (team_daily_developers). Materialized views over the per-developer
-- rollups, refreshed by the collector at the end of every collection pass
-- (worker/src/collector/group-rollups.ts), so a membership change re-files a developer's whole history without any
-- bookkeeping. Between a pass's writes and its refresh (seconds) a group panel shows the previous pass's figures.

-- Per group and day: the daily panels (spend, requests, tokens, active developers) and the cycle forecast.
CREATE MATERIALIZED VIEW group_daily_rollup AS
SELECT bm.group_id,
       r.day,
       count(*) AS developers, -- a developer has a row for a day only when they had usage that day
       sum(r.events) AS events,
       sum(r.charged_cents) AS charged_cents,
       sum(r.input_tokens) AS input_tokens,
       sum(r.output_tokens) AS output_tokens,
       sum(r.cache_write_tokens) AS cache_write_tokens,
       sum(r.cache_read_tokens) AS cache_read_tokens
FROM user_daily_rollup r
JOIN billing_group_members bm ON bm.email = r.user_email
GROUP BY bm.group_id, r.day;

-- Unique, so REFRESH ... CONCURRENTLY can run while Grafana reads it.
CREATE UNIQUE INDEX group_daily_rollup_key ON group_daily_rollup (group_id, day);

-- Per group, day and model: "Spend by model".
CREATE MATERIALIZED VIEW group_model_daily_rollup AS
SELECT bm.group_id,
       r.day,
       r.model,
       sum(r.events) AS events,
       sum(r.charged_cents) AS charged_cents
FROM user_model_daily_rollup r
JOIN billing_group_members bm ON bm.email = r.user_email
GROUP BY bm.group_id, r.day, r.model;

CREATE UNIQUE INDEX group_model_daily_rollup_key ON group_model_daily_rollup (group_id, day, model);

-- Developers with usage per day, whole team: the "All" side of the active-developers series, which otherwise counts
-- every developer's row of every day in the range (600k at 20,000 developers x 30 days).
CREATE MATERIALIZED VIEW team_daily_developers AS
SELECT r.day, count(*) AS developers
FROM user_daily_rollup r
GROUP BY r.day;

CREATE UNIQUE INDEX team_daily_developers_key ON team_daily_developers (day);

GRANT SELECT ON group_daily_rollup, group_model_daily_rollup, team_daily_developers TO grafana_reader;
