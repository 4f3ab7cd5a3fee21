-- Issue #13: the event rollups (user_daily_rollup, user_model_daily_rollup, model_daily_rollup,
-- user_kind_daily_rollup, hourly_rollup) are no longer moved by every page of 1,000 events, which wrote ~1,500 rollup
-- rows a page, each with all of its table's indexes, and cost more than storing the events. A page adds what it
-- changed here instead, summed per developer, day, model, kind and hour, in its own transaction: a new event all of
-- itself, a restated one the difference of its price. Once a day's pages are in, the collector moves these rows into
-- the rollups, one upsert per rollup row (worker/src/collector/rollup-pending.ts). Nothing is counted twice or lost:
-- a page and its pending rows commit together, and a flush adds them and empties the table in one transaction; a
-- crash in between leaves them here for the next collection. No index: the table holds a day or so of rows, read whole.
CREATE TABLE rollup_pending (
  user_email          text NOT NULL,
  day                 date NOT NULL,
  model               text NOT NULL,
  kind                text NOT NULL,
  hour                timestamptz NOT NULL,
  events              integer NOT NULL,
  requests_costs      numeric(16,4) NOT NULL,
  charged_cents       numeric(18,6) NOT NULL,
  token_fee_cents     numeric(18,6) NOT NULL,
  input_tokens        bigint NOT NULL,
  output_tokens       bigint NOT NULL,
  cache_write_tokens  bigint NOT NULL,
  cache_read_tokens   bigint NOT NULL,
  max_mode_events     integer NOT NULL,
  headless_events     integer NOT NULL,
  chargeable_events   integer NOT NULL,
  max_mode_cents      numeric(18,6) NOT NULL,
  headless_cents      numeric(18,6) NOT NULL
);
