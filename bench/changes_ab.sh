#!/usr/bin/env bash
# Compares the change-file apply of the working tree's SQL with another design's, alternating the
# two on one database, where bench.sh measures each design in a run of its own.
#
#   bench/changes_ab.sh --baseline-sql DIR [--build-dir DIR] [--rows N] [--reps R]
#
# On one throwaway PostgreSQL cluster and one ff_bench_gen data set of N rows (default 100 000):
# the base snapshot and the changed one are applied, then R times (default 6), first with
# sql/R__031_ingest_changes.sql, then with DIR/*.sql applied over it, `fleetfuel import --changes`
# runs as a dry run (staged, applied, rolled back: the same stored rows every time) over the data
# set's change files of 100 changes and over its one file of 50 000 changes. Each run prints the
# database's CPU seconds (the postmaster's reaped children: the backend that staged and applied)
# and the server time of the fuel.apply_change_file calls (from the log); the end prints, per
# design and step, the median and the range. On a shared machine the ranges are wide: compare
# medians of many alternations, never one run with another. Timing never fails; a run that fails
# stops the script with its exit status.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build"
ROWS=100000
REPS=6
BASELINE_SQL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD="$(cd "$2" && pwd)"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --baseline-sql) BASELINE_SQL="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "usage: $0 --baseline-sql DIR [--build-dir DIR] [--rows N] [--reps R]" >&2; exit 2 ;;
  esac
done
[ -n "$BASELINE_SQL" ] || { echo "changes_ab: --baseline-sql DIR is required" >&2; exit 2; }
BIN="$BUILD/daemon/fleetfuel"
GEN="$BUILD/bench/ff_bench_gen"
for f in "$BIN" "$GEN"; do
  [ -x "$f" ] || { echo "changes_ab: $f is missing (cmake --build $BUILD --target fleetfuel ff_bench_gen)" >&2; exit 2; }
done
WORK="$(mktemp -d /tmp/ff-changes-ab.XXXXXX)"
chmod 755 "$WORK"   # the PostgreSQL cluster below runs as the postgres user
trap '"$ROOT/scripts/services.sh" stop "$WORK/svc" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
eval "$("$ROOT/scripts/services.sh" start "$WORK/svc" pg)"
POSTMASTER="$(head -1 "$FF_TEST_PGDATA/postmaster.pid")"
PGLOG="$WORK/svc/pg/server.log"
export PGOPTIONS="-c client_min_messages=warning"

"$GEN" --rows "$ROWS" --out "$WORK/data" --change-files 100
psql -X -q -d "$FF_TEST_DATABASE_URL" -c "CREATE DATABASE bench_ab"
export DATABASE_URL="${FF_TEST_DATABASE_URL%/*}/bench_ab"
"$BIN" migrate >/dev/null
for snapshot in base changed; do
  "$BIN" import --snapshot --apply --source-dir "$WORK/data/$snapshot" >/dev/null
done
psql -X -q -d "$DATABASE_URL" -c "VACUUM ANALYZE fuel.records" \
  -c "ALTER DATABASE bench_ab SET log_min_duration_statement = 0"

db_cpu() {  # CPU seconds of the backends the postmaster has reaped
  awk -v hz="$(getconf CLK_TCK)" '{ print ($16 + $17) / hz }' "/proc/$POSTMASTER/stat"
}
use_design() {  # use_design new|base
  local f
  psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -f "$ROOT/sql/R__031_ingest_changes.sql" >/dev/null
  if [ "$1" = base ]; then
    for f in "$BASELINE_SQL"/*.sql; do psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -f "$f" >/dev/null; done
  fi
}
measure() {  # measure DESIGN STEP SOURCE_DIR: one line "design step db_cpu_s apply_ms"
  local off cpu0 cpu1 apply
  off="$(stat -c %s "$PGLOG")"; cpu0="$(db_cpu)"
  "$BIN" import --changes --json --source-dir "$3" >"$WORK/out.json"
  sleep 1   # the backend exits after the client; its CPU is counted once it is reaped
  cpu1="$(db_cpu)"
  apply="$(tail -c +"$((off + 1))" "$PGLOG" | python3 -c '
import re, sys
print(round(sum(float(m.group(1)) for m in (re.search(
    r"duration: ([0-9.]+) ms\s+(?:statement|execute [^:]*): .*apply_change_file", l)
    for l in sys.stdin) if m)))')"
  echo "$1 $2 $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }') $apply"
}

for _ in $(seq 1 "$REPS"); do
  for design in new base; do
    use_design "$design"
    measure "$design" changes "$WORK/data/changes" | tee -a "$WORK/runs.txt"
    measure "$design" bigchange "$WORK/data/bigchange" | tee -a "$WORK/runs.txt"
  done
done
python3 - "$WORK/runs.txt" "$ROWS" <<'PY'
import statistics, sys, os
runs = {}
for line in open(sys.argv[1]):
    design, step, cpu, apply = line.split()
    runs.setdefault((step, design), []).append((float(cpu), float(apply)))
print(f"\n{sys.argv[2]} rows, load {os.getloadavg()[0]:.1f}; median [range] of {len(next(iter(runs.values())))} runs each")
print(f"{'step':<10} {'design':<6} {'db cpu s':>22} {'apply ms':>22}")
for (step, design), v in sorted(runs.items(), key=lambda kv: (kv[0][0], kv[0][1] != "new")):
    c, a = [x[0] for x in v], [x[1] for x in v]
    print(f"{step:<10} {design:<6} {statistics.median(c):>7.2f} [{min(c):.2f}-{max(c):.2f}]"
          f" {statistics.median(a):>9.0f} [{min(a):.0f}-{max(a):.0f}]")
PY
