-- Spend limits set from Grafana through Cursor's POST /teams/user-spend-limit (issue 15). A row exists only for a
-- change Cursor answered `outcome: "success"` to; refused and failed attempts are in api_audit with their status.
-- old_known = false: the limit before the change was not known (no /teams/spend row collected, no earlier change),
-- so that change cannot be undone automatically.
CREATE TABLE spend_limit_changes (
  id              bigserial PRIMARY KEY,
  at              timestamptz NOT NULL DEFAULT now(),
  actor           text NOT NULL,                  -- the Grafana login that made it
  email           text NOT NULL,
  incident_id     bigint REFERENCES incidents (id) ON DELETE SET NULL,
  old_dollars     integer,                        -- null: no limit (when old_known)
  old_known       boolean NOT NULL,
  new_dollars     integer,                        -- null: the limit was removed
  reason          text NOT NULL,
  cursor_message  text NOT NULL,
  undo_of         bigint REFERENCES spend_limit_changes (id),
  undone_by       bigint REFERENCES spend_limit_changes (id)
);
CREATE INDEX spend_limit_changes_email_idx ON spend_limit_changes (email, id DESC);

GRANT SELECT ON spend_limit_changes TO grafana_reader;
