-- Team-wide spend per model per UTC day: what the dashboards' team and model panels read. Summing the per-user
-- rollups over 5,000 developers and 30 days means scanning ~750k rows per panel (seconds); this is 30 x models.
-- Moved with the other rollups (sql/017, worker/src/collector/rollup-pending.ts).
CREATE TABLE model_daily_rollup (
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
  PRIMARY KEY (day, model)
);

-- A database that already holds events gets its history from the per-user rollup.
INSERT INTO model_daily_rollup (day, model, events, requests_costs, charged_cents, token_fee_cents, input_tokens,
  output_tokens, cache_write_tokens, cache_read_tokens, max_mode_events, headless_events, chargeable_events,
  max_mode_cents, headless_cents)
SELECT day, model, sum(events), sum(requests_costs), sum(charged_cents), sum(token_fee_cents), sum(input_tokens),
  sum(output_tokens), sum(cache_write_tokens), sum(cache_read_tokens), sum(max_mode_events), sum(headless_events),
  sum(chargeable_events), sum(max_mode_cents), sum(headless_cents)
FROM user_model_daily_rollup
GROUP BY day, model;

-- Per-developer totals over a range (top spenders, rank in the team) read only this index: no heap visits for
-- settled days.
CREATE INDEX user_daily_rollup_day_spend_idx ON user_daily_rollup (day) INCLUDE (user_email, charged_cents, events);

GRANT SELECT ON model_daily_rollup TO grafana_reader;
