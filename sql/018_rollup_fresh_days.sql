-- Issue #13: a day that the first of its pages finds empty (no stored event and no rollup row: a backfill's days, or
-- today's first pass) is marked here, in that page's transaction. Its pages then add nothing to rollup_pending, and
-- the flush sums the day's stored events into the rollups instead (worker/src/collector/rollup-pending.ts): for a
-- backfill, writing a pending row for every event or two and reading it back was a sixth of what storing cost
-- PostgreSQL. The mark stays until that flush, so a crash in between leaves the day to be summed by the next one; and
-- a marked day's rows in rollup_pending are left out of the flush, whatever added them, since its events count once.
CREATE TABLE rollup_fresh_days (
  day date PRIMARY KEY
);
