-- Issue #13: the event rollups (user_daily_rollup, user_model_daily_rollup, model_daily_rollup,
-- user_kind_daily_rollup, hourly_rollup) are recomputed from the stored events once per UTC day touched, after the
-- day's pages are stored (worker/src/collector/day-rollups.ts), instead of moved by every page of 1,000 events: a
-- page wrote ~1,500 rollup rows, each with all of its table's indexes, which cost more than storing the events.
-- A page that inserts or restates an event records its day here in the same transaction, so a crash between the
-- page and the recompute leaves the day marked and the next collection recomputes it: the rollups are never left
-- short of the events, only late until the end of the day's pages.
CREATE TABLE rollup_stale_days (
  day       date PRIMARY KEY,
  marked_at timestamptz NOT NULL DEFAULT now()
);
