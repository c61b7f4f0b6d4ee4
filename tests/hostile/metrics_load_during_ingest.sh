#!/usr/bin/env bash
# Load on /metrics while the daemon ingests: wrk against the real `fleetfuel run` during a large
# snapshot cycle, and the same cycle without load, for docs/reliability.md. Not run by ctest.
#
# Usage: tests/hostile/metrics_load_during_ingest.sh FLEETFUEL_BINARY [ROWS]
# Needs FF_TEST_DATABASE_URL (scripts/services.sh) and the Debian package wrk. Loopback only;
# every loop is bounded. Measure with a Release build (-DCMAKE_BUILD_TYPE=Release -DFF_SANITIZE=OFF).
set -euo pipefail

bin=${1:?usage: $0 FLEETFUEL_BINARY [ROWS]}
rows=${2:-300000}
: "${FF_TEST_DATABASE_URL:?run scripts/services.sh start first}"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/ff-load.XXXXXX)
db="ff_load_$$"
admin=$FF_TEST_DATABASE_URL
url=${admin%/*}/$db
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null

# A contract-shaped snapshot: messy strings as the exporter writes them.
mkdir -p "$work/src/fuel_records/changes"
python3 - "$rows" >"$work/src/fuel_records/latest.json" <<'EOF'
import json, sys, datetime
n = int(sys.argv[1])
plates = ["KDA 123A", "kdb-456b", "KCC789C", "KDD 001D", "XYZ 999", "KDE 555E"]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
out = sys.stdout
out.write('{"table":"logistics_department.fuel_records","exported_at":"%s","row_count":%d,"rows":[' % (now, n))
for i in range(1, n + 1):
    day = datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 365)
    row = {"id": i, "fill_date": day.isoformat(), "vehicle_reg": plates[i % 6],
           "department": ["Logistics", " sales ", None][i % 3], "driver_name": "Driver %d" % (i % 50),
           "station": "Station %d" % (i % 7), "litres": "%d.5 L" % (20 + i % 30),
           "price_per_litre": "KES 180.50", "amount": "%.2f" % ((20.5 + i % 30) * 180.5),
           "odometer": str(100000 + i * 3), "fuel_type": "Diesel",
           "updated_at": "2026-01-01T00:00:00Z", "notes": "ok ✓"}
    out.write(("," if i > 1 else "") + json.dumps(row, ensure_ascii=False))
out.write("]}")
EOF
echo "snapshot: $rows rows, $(du -h "$work/src/fuel_records/latest.json" | cut -f1)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
env -i PATH=/usr/bin:/bin DATABASE_URL="$url" FUEL_SOURCE_DIR="$work/src" \
  HTTP_LISTEN=127.0.0.1:$port SNAPSHOT_INTERVAL=2s CHANGES_INTERVAL=5s MAX_DELETE_FRACTION=1 \
  "$bin" run >"$work/daemon.log" 2>&1 &
pid=$!

metric() {  # value of one sample line of /metrics, 0 when absent
  curl -s "http://127.0.0.1:$port/metrics" | awk -v k="$1" '$1 == k { print $2; f=1 } END { if (!f) print 0 }'
}
applied() { grep -c 'snapshot: applied' "$work/daemon.log" || true; }
wait_applied() {  # wait until `snapshot: applied` has been logged $1 times (at most 30 min)
  for _ in $(seq 1 3600); do
    (( $(applied) >= $1 )) && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "timed out waiting for snapshot cycle $1" >&2; exit 1
}
sum='fleetfuel_cycle_duration_seconds_sum{stream="snapshot"}'
count='fleetfuel_cycle_duration_seconds_count{stream="snapshot"}'

wait_applied 1
echo "first load (inserts) done"

# One re-read of the whole file: touching it changes its ETag (mtime), every row is unchanged.
cycle() {  # $1: with load or not; prints the cycle's duration in seconds
  local n before_s before_c
  n=$(( $(applied) + 1 ))
  before_s=$(metric "$sum"); before_c=$(metric "$count")
  touch "$work/src/fuel_records/latest.json"
  if [[ $1 == load ]]; then
    wrk -t2 -c32 -d10s "http://127.0.0.1:$port/metrics" >"$work/wrk.txt"
  fi
  wait_applied "$n"
  python3 -c "print(round($(metric "$sum") - $before_s, 3), int($(metric "$count") - $before_c))"
}
read -r quiet quiet_cycles < <(cycle quiet)
read -r loaded loaded_cycles < <(cycle load)
read -r quiet2 quiet2_cycles < <(cycle quiet)

echo "snapshot re-read without load: ${quiet}s, ${quiet2}s (snapshot cycles summed: $quiet_cycles, $quiet2_cycles)"
echo "snapshot re-read with wrk on /metrics: ${loaded}s (cycles summed: $loaded_cycles)"
grep -E 'Requests/sec|Latency|requests in|Non-2xx|Socket errors' "$work/wrk.txt"
grep -E 'snapshot: applied' "$work/daemon.log" | tail -3
curl -s -o /dev/null -w 'healthz after: %{http_code}\n' "http://127.0.0.1:$port/healthz"
psql -At "$url" -c "SELECT 'records: ' || count(*) FROM fuel.records"
