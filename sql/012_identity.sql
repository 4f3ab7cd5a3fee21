-- Whether the person a change is recorded under was verified, and where the name came from (issue #10, identity):
--   grafana-id-token       Grafana's signed ID token (X-Grafana-Id), verified against Grafana's published keys
--   x-grafana-context      the X-Grafana-Context header, taken as sent (GRAFANA_IDENTITY=header): anyone holding the
--                          worker token can write any name there
--   none                   no identity at all (a script or curl in header mode): recorded as 'api'
-- Rows written before this migration were all taken from the header: they stay unverified.
ALTER TABLE api_audit
  ADD COLUMN identity_verified boolean NOT NULL DEFAULT false,
  ADD COLUMN identity_source text NOT NULL DEFAULT 'x-grafana-context'
    CHECK (identity_source IN ('grafana-id-token', 'x-grafana-context', 'none')),
  ADD COLUMN actor_role text;                 -- the Grafana org role the request was checked against
ALTER TABLE settings_audit
  ADD COLUMN identity_verified boolean NOT NULL DEFAULT false,
  ADD COLUMN identity_source text NOT NULL DEFAULT 'x-grafana-context'
    CHECK (identity_source IN ('grafana-id-token', 'x-grafana-context', 'none'));
