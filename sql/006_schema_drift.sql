-- Tolerant reading of Cursor's API (worker/src/cursor/drift.ts): what an answer held beside our reading of the docs
-- is reported once per run, endpoint and field path, with one redacted example, instead of failing the page.
-- drift: [{"endpoint": "GET /teams/groups", "field": "groups[].type", "kind": "unknown field",
--          "message": "...", "example": "\"<string, 6 chars>\"", "count": 4}]
ALTER TABLE collection_runs ADD COLUMN drift jsonb NOT NULL DEFAULT '[]'::jsonb;

-- Billing cycles come as a day or as a {cycleStart, cycleEnd} pair; a group is kept raw (without its member list)
-- so fields we do not read yet are not lost.
ALTER TABLE billing_groups ADD COLUMN billing_cycle_end date;
ALTER TABLE billing_groups ADD COLUMN raw jsonb;

GRANT SELECT ON collection_runs, billing_groups TO grafana_reader;
