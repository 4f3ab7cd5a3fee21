-- Nudge the developer first (issue 15): for the detectors named in settings.nudgeDetectors, the developer gets a
-- personal email before the team channels hear about the incident; the channels hear only if it is still active
-- settings.nudgeEscalateAfterDays after the nudge. worker/src/nudge/README.md describes the lifecycle.

-- One nudge per incident at most (UNIQUE incident_id): the outbox row the nudge job sends, like notifications.
CREATE TABLE nudges (
  id                  bigserial PRIMARY KEY,
  incident_id         bigint NOT NULL UNIQUE REFERENCES incidents (id) ON DELETE CASCADE,
  email               text NOT NULL,                 -- the developer it goes to (the incident's subject)
  status              text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  skip_reason         text,                          -- opted_out | daily_cap | smtp_not_configured | recent_nudge
  attempts            integer NOT NULL DEFAULT 0,
  last_error          text,
  payload             jsonb NOT NULL DEFAULT '{}',   -- the exact email sent: subject, text, html, messageId
  evidence            jsonb NOT NULL DEFAULT '{}',   -- the figures the email shows, as computed at the nudge
  escalate_after_days integer NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  sent_at             timestamptz,
  escalated_at        timestamptz,                   -- set once: the team channels may hear about it from then on
  outcome             text CHECK (outcome IN ('escalated', 'fixed_after_nudge', 'closed')),
  decided_at          timestamptz
);
-- The daily cap counts a developer's nudges of the day.
CREATE INDEX nudges_email_created_idx ON nudges (email, created_at);
-- The hourly check reads the nudges still waiting for an outcome.
CREATE INDEX nudges_undecided_idx ON nudges (created_at) WHERE outcome IS NULL AND status <> 'skipped';

-- Developers who asked not to be nudged: their anomalies go to the team channels as before.
CREATE TABLE nudge_opt_outs (
  email      text PRIMARY KEY,                       -- lowercase, as collected
  reason     text NOT NULL DEFAULT '',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A new resolution reason: the anomaly ended after the developer was nudged, before any escalation.
ALTER TABLE incidents DROP CONSTRAINT incidents_resolution_reason_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_resolution_reason_check
  CHECK (resolution_reason IN ('fixed', 'expected', 'false_positive', 'auto', 'fixed_after_nudge'));
GRANT SELECT ON nudges, nudge_opt_outs TO grafana_reader;
