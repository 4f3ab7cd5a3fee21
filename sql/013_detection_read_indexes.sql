-- Issue #13: detection reads 57 days of every developer's rollups each hour (worker/src/detection/load-series-set.ts),
-- one chunk of developers at a time in primary-key order. Rollup rows are written day by day, so one developer's
-- rows are scattered over the heap and an index scan fetches a heap page per row. These indexes carry every column
-- detection reads, so PostgreSQL answers it with an index-only scan, each developer's days side by side
-- (bench:detect-pass halved the load at 5,000 developers). The cost: the rollups' upserts update these columns,
-- so they are no longer HOT updates and write one more index entry per row (see docs/scaling.md).
CREATE INDEX user_daily_rollup_detection ON user_daily_rollup (user_email, day)
  INCLUDE (events, charged_cents, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens,
           max_mode_cents, headless_cents, requests_costs, max_mode_events, headless_events);

CREATE INDEX user_model_daily_rollup_detection ON user_model_daily_rollup (user_email, day, model)
  INCLUDE (events, charged_cents, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens);
