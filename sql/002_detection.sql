-- Detection settings, anomalies, incidents and their timeline, snoozes and notification deliveries.

-- Detection and notification settings, one JSON value per key, validated by the worker (worker/src/settings).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL DEFAULT 'system'
);
CREATE TABLE settings_audit (
  id         bigserial PRIMARY KEY,
  key        text NOT NULL,
  old_value  jsonb,
  new_value  jsonb NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);

-- Incidents: one per subject (a user's email, or 'team') and detector episode.
CREATE TABLE incidents (
  id                bigserial PRIMARY KEY,
  scope             text NOT NULL CHECK (scope IN ('user', 'team')),
  subject           text NOT NULL,                 -- email for a user, 'team' or a billing group id for a team
  detector          text NOT NULL,
  status            text NOT NULL CHECK (status IN ('open', 'alerted', 'acknowledged', 'resolved')),
  severity          text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  max_severity      text NOT NULL CHECK (max_severity IN ('info', 'warning', 'critical')),
  onset_at          timestamptz NOT NULL,          -- when the excess began
  detected_at       timestamptz NOT NULL,          -- first detection
  last_detected_at  timestamptz NOT NULL,
  alerted_at        timestamptz,
  acknowledged_at   timestamptz,
  acknowledged_by   text,
  resolved_at       timestamptz,
  resolved_by       text,
  resolution_reason text CHECK (resolution_reason IN ('fixed', 'expected', 'false_positive', 'auto')),
  resolution_note   text,
  observed          double precision NOT NULL,
  expected          double precision NOT NULL,
  band_low          double precision,
  band_high         double precision,
  unit              text NOT NULL DEFAULT 'cents', -- cents | requests | tokens | share
  impact_cents      double precision NOT NULL DEFAULT 0,
  top_model         text,
  why               jsonb NOT NULL DEFAULT '{}',
  summary           text NOT NULL DEFAULT '',
  normal_days       integer NOT NULL DEFAULT 0,    -- consecutive evaluated days without the signal
  last_evaluated_day date                          -- the last as-of day a pass looked at it (re-runs are idempotent)
);
-- At most one unresolved incident per subject and detector: repeated detections update it.
CREATE UNIQUE INDEX incidents_one_open_idx ON incidents (scope, subject, detector) WHERE status <> 'resolved';
CREATE INDEX incidents_status_idx ON incidents (status, detected_at DESC);
CREATE INDEX incidents_subject_idx ON incidents (subject, detected_at DESC);

-- Every state change of an incident (who, when, what).
CREATE TABLE incident_events (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,                      -- 'detector', 'system' or a Grafana user login
  action      text NOT NULL,                      -- opened | updated | escalated | alerted | acknowledged | resolved | reopened | auto_resolved
  from_status text,
  to_status   text,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, at);

-- Each anomaly found by a detection pass, per evaluated day (history for dashboards and backtests).
CREATE TABLE anomalies (
  id           bigserial PRIMARY KEY,
  as_of        date NOT NULL,
  scope        text NOT NULL,
  subject      text NOT NULL,
  detector     text NOT NULL,
  severity     text NOT NULL,
  onset_at     timestamptz NOT NULL,
  observed     double precision NOT NULL,
  expected     double precision NOT NULL,
  band_low     double precision,
  band_high    double precision,
  unit         text NOT NULL DEFAULT 'cents',
  impact_cents double precision NOT NULL DEFAULT 0,
  why          jsonb NOT NULL DEFAULT '{}',
  incident_id  bigint REFERENCES incidents (id) ON DELETE SET NULL,
  detected_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (as_of, scope, subject, detector)
);
CREATE INDEX anomalies_subject_idx ON anomalies (subject, as_of);

CREATE TABLE snoozes (
  id         bigserial PRIMARY KEY,
  scope      text NOT NULL CHECK (scope IN ('user', 'team')),
  subject    text NOT NULL,
  until      timestamptz NOT NULL,
  reason     text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX snoozes_subject_idx ON snoozes (subject, until);

-- One row per message per channel; the pg-boss job that sends it carries its id.
CREATE TABLE notifications (
  id           bigserial PRIMARY KEY,
  channel      text NOT NULL CHECK (channel IN ('slack', 'email', 'webhook')),
  kind         text NOT NULL CHECK (kind IN ('alert', 'digest', 'test')),
  incident_ids bigint[] NOT NULL DEFAULT '{}',
  status       text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  payload      jsonb NOT NULL,
  dedupe_key   text NOT NULL UNIQUE,            -- the same alert is never queued twice
  created_at   timestamptz NOT NULL DEFAULT now(),
  sent_at      timestamptz
);
CREATE INDEX notifications_status_idx ON notifications (status, created_at);

-- Which incident, at which severity, has been put in a message on which channel: an incident is announced once per
-- channel when it opens and once more per severity it rises to, however many passes or workers see it.
CREATE TABLE notification_incidents (
  channel         text NOT NULL CHECK (channel IN ('slack', 'email', 'webhook')),
  incident_id     bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  notification_id bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  PRIMARY KEY (channel, incident_id, severity)
);
CREATE INDEX notification_incidents_notification_idx ON notification_incidents (notification_id);
