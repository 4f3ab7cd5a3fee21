#!/bin/sh
# Runs once, when the postgres service initialises an empty volume: gives Grafana's read-only role its login.
# sql/003_grafana_reader.sql (run by the worker's migrations) grants it SELECT and keeps its sessions read-only.
# To change the password later: ALTER ROLE grafana_reader PASSWORD '...'; and update GRAFANA_DB_PASSWORD.
set -eu
if [ -z "${GRAFANA_DB_PASSWORD:-}" ]; then
  echo "GRAFANA_DB_PASSWORD is not set: Grafana's read-only role gets no login (set it in .env)" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v pw="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'pw';
SQL
