-- Usage events the collector refused instead of storing: unparseable, text PostgreSQL cannot hold (NUL), or dated
-- outside the window that was asked for (an event from 2099 would otherwise create decades of empty partitions).
-- Kept raw so nothing is lost and someone can look; one row per distinct event, however often it is re-read.
CREATE TABLE quarantined_events (
  id            bigserial PRIMARY KEY,
  endpoint      text NOT NULL,
  reason        text NOT NULL,
  raw           text NOT NULL,                 -- the event as received, as JSON text (jsonb cannot hold \u0000)
  raw_hash      text NOT NULL UNIQUE,          -- md5 of raw: the same poison event re-read by the overlap counts once
  window_start  timestamptz,
  window_end    timestamptz,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  times_seen    integer NOT NULL DEFAULT 1
);
CREATE INDEX quarantined_events_seen_idx ON quarantined_events (last_seen_at DESC);

-- Per run: events refused (quarantined), beside rows_new and rows_updated, for the Collection health dashboard.
ALTER TABLE collection_runs ADD COLUMN rows_refused integer NOT NULL DEFAULT 0;
