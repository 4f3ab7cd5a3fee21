-- The days detection has evaluated, one row per as-of day: every detection pass (worker/src/jobs/detection-pass.ts)
-- upserts its day here in the transaction that records its incidents, so a day is marked exactly when the incidents'
-- last_evaluated_day and normal_days have counted it. Before today's pass the detect job evaluates, each as of its
-- own end, the days after the first marked one that have no row (the worker was down: an outage over a weekend, a
-- crash loop), those of the last 14 (worker/src/jobs/catch-up-detection.ts), so that normal_days counts days rather
-- than passes and the incidents those days opened are announced; older ones get a row with no pass, so they are
-- reported once. No row at all (a fresh install, or an upgrade to this migration) means nothing is caught up: the
-- first backfill's replay covers a fresh install. A caught-up day's pass keeps here, in the same transaction, the
-- incidents it would have announced (owed); the detect job's pass of today announces those still unresolved and
-- takes them off, so a crash in between loses none of them.
CREATE TABLE detection_days (
  as_of         date PRIMARY KEY,
  passes        integer NOT NULL DEFAULT 1,          -- the passes that evaluated it (hourly passes re-run today;
                                                     -- 0: missed, older than the catch-up reaches)
  first_pass_at timestamptz NOT NULL DEFAULT now(),  -- when the first ran, by the wall clock (a caught-up day's
  last_pass_at  timestamptz NOT NULL DEFAULT now(),  -- comes after the day itself); when the latest ran
  owed          bigint[] NOT NULL DEFAULT '{}',       -- incidents a caught-up pass would have announced (opened,
                                                     -- escalated, never announced), not announced since
  caught_up     boolean NOT NULL DEFAULT false       -- evaluated late, after the worker missed it (not a backfill's
                                                     -- replay): a digest takes its incidents in, however old
);
GRANT SELECT ON detection_days TO grafana_reader;
