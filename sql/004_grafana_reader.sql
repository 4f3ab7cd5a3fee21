-- A read-only role for Grafana's datasource: Grafana reads the dashboards' tables and never writes.
-- The role is created without LOGIN when missing; docker compose's Postgres init script creates it first with
-- LOGIN and the password from GRAFANA_DB_PASSWORD (provisioning/postgres/), so no secret lives in a migration.
-- Roles are cluster-wide: another database of the same cluster may have created it already.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grafana_reader') THEN
    BEGIN
      CREATE ROLE grafana_reader NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN NULL;  -- a concurrent migration created it first
    END;
  END IF;
END $$;

-- Every session of the role is read-only and bounded, whatever a dashboard's SQL tries.
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '30s';
-- Dashboard aggregations sort and hash tens of thousands of rollup rows: keep them in memory (default 4MB spills).
ALTER ROLE grafana_reader SET work_mem = '32MB';

DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO grafana_reader', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO grafana_reader;

-- Tables, partitions and schemas the worker creates later (monthly usage_events partitions, pg-boss's schema
-- for the "job failures" panel) are readable too.
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO grafana_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO grafana_reader;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss') THEN  -- pg-boss started before this migration
    GRANT USAGE ON SCHEMA pgboss TO grafana_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA pgboss TO grafana_reader;
  END IF;
END $$;
