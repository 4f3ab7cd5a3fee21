-- Every change made through the worker HTTP API (the Grafana plugin): who, what, and how it ended. Domain tables keep
-- their own trail too (incident_events, settings_audit, snoozes.created_by); this one also covers deletions and
-- manual actions such as collection runs and channel tests.
CREATE TABLE api_audit (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  method      text NOT NULL,
  route       text NOT NULL,                 -- the route pattern, e.g. /api/incidents/:id/resolve
  path        text NOT NULL,                 -- the path as called
  status_code integer NOT NULL,
  request     jsonb NOT NULL DEFAULT '{}'    -- the parsed body as sent
);
CREATE INDEX api_audit_at_idx ON api_audit (at DESC);
