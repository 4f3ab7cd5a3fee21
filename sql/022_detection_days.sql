-- The days detection has evaluated, one row per as-of day: every detection pass (worker/src/jobs/detection-pass.ts)
-- upserts its day here in the transaction that records its incidents, so a day is marked exactly when the incidents'
-- last_evaluated_day and normal_days have counted it. The detect job reads the latest day before today's pass: when
-- the worker was down (an outage over a weekend, a crash loop), it first replays each day it missed as of that day,
-- at most 14 (worker/src/jobs/catch-up-detection.ts), so that normal_days counts days rather than passes and the
-- incidents those days opened are announced. No row at all (a fresh install, or an upgrade to this migration) means
-- nothing is caught up: the first backfill's replay covers a fresh install. A caught-up day's pass keeps here, in
-- the same transaction, the incidents it would have announced (owed); the next pass that announces (today's, with a
-- queue) announces those still unresolved and empties the list, so a crash in between loses none of them.
CREATE TABLE detection_days (
  as_of         date PRIMARY KEY,
  passes        integer NOT NULL DEFAULT 1,          -- the passes that evaluated it (hourly passes re-run today)
  first_pass_at timestamptz NOT NULL DEFAULT now(),  -- when the first ran, by the wall clock (a caught-up day's
  last_pass_at  timestamptz NOT NULL DEFAULT now(),  -- comes after the day itself); when the latest ran
  owed          bigint[] NOT NULL DEFAULT '{}'        -- incidents a caught-up pass would have announced, not yet
);
GRANT SELECT ON detection_days TO grafana_reader;
