#!/bin/sh
# Runs before Grafana starts (docker-compose.yml, service plugin-check). Grafana refuses to start when the app it
# must provision is not installed: pkg/services/provisioning/plugins/config_reader.go, validatePluginsConfig returns
# `plugin not installed: "cursorwatch-cost-app"` and the provisioning service stops start-up. Docker would mount a
# missing ./plugin/dist as an empty folder, so say here, before Grafana, what is missing and how to build it.
set -eu
dist="${1:-/plugin/dist}"
fail() {
  echo "plugin-check: $1" >&2
  echo "plugin-check: build the app plugin first (npm ci && npm run build -w plugin), then run docker compose up -d again" >&2
  exit 1
}
[ -d "$dist" ] || fail "plugin/dist does not exist: the Cursor Cost Watch app plugin is not built"
[ -f "$dist/plugin.json" ] || fail "plugin/dist/plugin.json is missing: the app plugin is not built (or the build failed)"
[ -f "$dist/module.js" ] || fail "plugin/dist/module.js is missing: the app plugin build is incomplete"
grep -q '"id"[[:space:]]*:[[:space:]]*"cursorwatch-cost-app"' "$dist/plugin.json" || fail "plugin/dist/plugin.json is not the cursorwatch-cost-app plugin"
echo "plugin-check: plugin/dist holds the built cursorwatch-cost-app plugin"
