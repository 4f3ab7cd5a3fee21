-- Cursor's audit log (GET /teams/audit-logs), collected in 30-day windows. Events carry their own id, so storing
-- them again is a no-op. `category` and `target_email` are read from the free-form event_data by the collector
-- (worker/src/collector/store-audit.ts): spend-limit and membership changes are what the dashboards show.
CREATE TABLE audit_logs (
  event_id      text PRIMARY KEY,
  event_ts      timestamptz NOT NULL,
  event_type    text NOT NULL,
  category      text NOT NULL CHECK (category IN ('spend_limit', 'membership', 'other')),
  actor_email   text,                 -- who did it (user_email)
  target_email  text,                 -- whom it concerns, when event_data names someone
  event_data    jsonb,
  collected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_target_idx ON audit_logs (target_email, event_ts);
CREATE INDEX audit_logs_ts_idx ON audit_logs (event_ts);

GRANT SELECT ON audit_logs TO grafana_reader;
