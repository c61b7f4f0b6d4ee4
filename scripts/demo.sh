#!/usr/bin/env bash
# The main job on a local default: a throwaway PostgreSQL and the bundled sample export in
# config/sample/ as the source (FUEL_SOURCE_DIR), no cloud account needed. It runs
# `fleetfuel migrate`, a dry-run import (exact counts, nothing written), then the daemon
# `fleetfuel run` until it has applied the snapshot and the change files, shows /healthz,
# the ingest metrics and what the reporting views hold, and stops the daemon with SIGTERM.
#   scripts/demo.sh                      # the above; nothing outside /tmp and build/ is touched
#   DEMO_KEEP_RUNNING=1 scripts/demo.sh  # leave the daemon running: Fuel Log at http://127.0.0.1:8080/
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DFF_BUILD_TESTS=OFF -DFF_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target fleetfuel

DEMO_DIR="$(mktemp -d /tmp/fleetfuel-demo.XXXXXX)"
DAEMON_PID=""
cleanup() {
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null || true
  "$ROOT/scripts/services.sh" stop "$DEMO_DIR"
  rm -rf "$DEMO_DIR"
}
trap cleanup EXIT
eval "$("$ROOT/scripts/services.sh" start "$DEMO_DIR" pg)"

export DATABASE_URL="$FF_TEST_DATABASE_URL"
export FUEL_SOURCE_DIR="$ROOT/config/sample"
export FUEL_ANALYTICS=on
# The analytics API reads as this role, never as the writer; migrate grants it the views.
psql -XqA "$DATABASE_URL" -c "CREATE ROLE fuel_reader NOLOGIN"
export FUEL_READER_ROLE=fuel_reader
export CHANGES_INTERVAL=2s
PORT="${DEMO_PORT:-8080}"
export HTTP_LISTEN="127.0.0.1:$PORT"
FF="$BUILD_DIR/daemon/fleetfuel"

echo "== fleetfuel migrate"
"$FF" migrate
echo "== fleetfuel import --snapshot --changes (dry run: exact counts, nothing written)"
"$FF" import --snapshot --changes

echo "== fleetfuel run (the daemon), HTTP on $HTTP_LISTEN"
if [ "${DEMO_KEEP_RUNNING:-}" = 1 ]; then
  echo "Fuel Log: http://$HTTP_LISTEN/   metrics: http://$HTTP_LISTEN/metrics   (Ctrl-C stops it)"
  exec "$FF" run
fi
"$FF" run 2>"$DEMO_DIR/daemon.log" &
DAEMON_PID=$!
applied=0
for _ in $(seq 1 120); do
  applied="$(psql -XtA "$DATABASE_URL" -c "SELECT count(*) FROM fuel.change_files WHERE status = 'applied'" 2>/dev/null || echo 0)"
  [ "$applied" -ge 2 ] && curl -sf "http://$HTTP_LISTEN/readyz" >/dev/null && break
  sleep 0.5
done
[ "$applied" -ge 2 ] || { cat "$DEMO_DIR/daemon.log" >&2; echo "demo: the daemon did not apply the sample changes" >&2; exit 1; }

echo "-- GET /healthz"
curl -s "http://$HTTP_LISTEN/healthz"; echo
echo "-- GET /metrics (ingest lag and rows)"
curl -s "http://$HTTP_LISTEN/metrics" | grep -E '^fleetfuel_(ingest_lag_seconds|rows_total\{stream="snapshot",action="inserted"|leader)'
echo "-- GET /analytics/fuel-fills?period=365d (totals)"
curl -s "http://$HTTP_LISTEN/analytics/fuel-fills?period=365d" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"])'
echo "== what the reporting views show"
psql -X "$DATABASE_URL" -c "SELECT count(*) AS records, count(*) FILTER (WHERE deleted_at IS NULL) AS live FROM fuel.records;" \
  -c "SELECT id, fill_date, vehicle_reg, department, litres, price_per_litre, amount, fuel_type, flags FROM reporting.v_fuel_fills ORDER BY fill_date DESC, id DESC LIMIT 10;" \
  -c "SELECT vehicle_reg, fill_date, odometer_km, distance_km, km_per_litre, plausible FROM reporting.v_fuel_efficiency WHERE vehicle_reg IS NOT NULL ORDER BY vehicle_reg, fill_date LIMIT 10;"

echo "== SIGTERM: the daemon finishes its work in flight and exits 0"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"; rc=$?
DAEMON_PID=""
echo "fleetfuel run exited with $rc"
exit "$rc"
