#!/usr/bin/env bash
# Measures the daemon's idle cost for docs/performance-idle.md: S3 requests per idle poll, the
# unchanged snapshot (304, nothing written), and RSS idle vs. after a large snapshot.
# Needs the services of scripts/services.sh (eval its output first) and a built binary:
#   tests/daemon/measure_idle.sh BUILD_DIR [ROWS]
set -euo pipefail
BIN="$(cd "${1:?usage: measure_idle.sh BUILD_DIR [ROWS]}" && pwd)/daemon/fleetfuel"
ROWS="${2:-200000}"
: "${FF_TEST_DATABASE_URL:?run scripts/services.sh start first}"
work="$(mktemp -d)"; db="measure_$$"; port=$((20000 + RANDOM % 20000))
trap 'kill $pid 2>/dev/null || true; psql -q "$FF_TEST_DATABASE_URL" -c "DROP DATABASE IF EXISTS $db" || true; rm -rf "$work"' EXIT
psql -q "$FF_TEST_DATABASE_URL" -c "CREATE DATABASE $db"
url="${FF_TEST_DATABASE_URL%/*}/$db"
mkdir -p "$work/fuel_records/changes"
gen() {  # gen N EXPORTED_AT: a snapshot of N simple rows
  python3 - "$1" "$2" <<'PY'
import json, sys
n, at = int(sys.argv[1]), sys.argv[2]
rows = ({"id": i, "vehicle_reg": "KAA %03dX" % (i % 1000), "litres": "40.5", "amount": "7000",
         "updated_at": "2026-06-01T00:00:00Z", "notes": "x" * 80} for i in range(1, n + 1))
sys.stdout.write('{"table":"fuel_records","exported_at":"%s","row_count":%d,"rows":[' % (at, n))
sys.stdout.write(",".join(json.dumps(r) for r in rows)); sys.stdout.write("]}")
PY
}
gen 10 2026-06-01T00:00:00Z >"$work/fuel_records/latest.json"
metric() { curl -s "127.0.0.1:$port/metrics" | awk -v s="$1" 'index($0, s" ")==1 {print $2}'; }
( cd "$work" && DATABASE_URL="$url" FUEL_SOURCE_DIR="$work" CHANGES_INTERVAL=1s SNAPSHOT_INTERVAL=5s \
  HTTP_LISTEN="127.0.0.1:$port" exec "$BIN" run >"$work/daemon.log" 2>&1 ) & pid=$!
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
sleep 3
echo "idle RSS: $(metric process_resident_memory_bytes)"
rows0=$(psql -Atq "$url" -c "SELECT count(*), max(last_changed_at) FROM fuel.records" 2>/dev/null || true)
sleep 10
echo "after 10 s idle: rows/last write unchanged: $rows0 -> $(psql -Atq "$url" -c "SELECT count(*), max(last_changed_at) FROM fuel.records" 2>/dev/null || true)"
gen "$ROWS" 2026-06-01T01:00:00Z >"$work/fuel_records/latest.json.tmp" && mv "$work/fuel_records/latest.json.tmp" "$work/fuel_records/latest.json"
for _ in $(seq 1 600); do [ "$(psql -Atq "$url" -c 'SELECT count(*) FROM fuel.records')" = "$ROWS" ] && break; sleep 0.5; done
echo "right after a $ROWS-row snapshot RSS: $(metric process_resident_memory_bytes)"
sleep "${SETTLE:-60}"
echo "60 s later RSS: $(metric process_resident_memory_bytes)"
cat "$work/daemon.log" | grep -v debug | tail -5
grep -c "cycle failed" "$work/daemon.log" || true
