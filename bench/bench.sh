#!/usr/bin/env bash
# Benchmarks the real `fleetfuel` binary against the database's own floor.
#
#   bench/bench.sh [--sizes 10000,100000,1000000] [--build-dir DIR] [--results DIR]
#                  [--reps R] [--idle-wait S] [--baseline-sql DIR] [--keep]
#
# For each size N, on one throwaway PostgreSQL cluster (scripts/services.sh) and one data set from
# ff_bench_gen, it measures: the floor (psql \copy of the same rows, one jsonb per line, into an
# unindexed table; best of R), the first load, the no-op reconcile (file touched so its ETag
# changes), the snapshot with 10 % changed / 1 % gone / 1 % new, change files of 100 changes, one
# change file of 50 000 changes with 15 000 ids twice, fuel.normalise over every row and
# `fleetfuel verify` beside it, other normalisation rules installed with every row, and the
# daemon's end-to-end delay and idle RSS. Wall and CPU seconds and peak RSS come from
# /usr/bin/time -v; the database's CPU from the postmaster's reaped children. Prints a table and
# writes RESULTS/latest.json.
#
# --baseline-sql DIR applies DIR/*.sql (e.g. older R__ files from `git show REV:sql/...`) over the
# migrated schema, to measure an older design with the same harness.
# Exit status: 0, or 1 when a behaviour check fails (the no-op reconcile wrote tuples in
# fuel.records, counts differ from what the data set implies, verify found a difference, a step
# failed). Timing never fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZES=10000
BUILD="$ROOT/build"
RESULTS=""
REPS=3
IDLE_WAIT=5
KEEP=0
BASELINE_SQL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --build-dir) BUILD="$(cd "$2" && pwd)"; shift 2 ;;
    --results) RESULTS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --idle-wait) IDLE_WAIT="$2"; shift 2 ;;
    --baseline-sql) BASELINE_SQL="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--sizes N,N] [--build-dir DIR] [--results DIR] [--reps R] [--idle-wait S] [--baseline-sql DIR] [--keep]" >&2
       exit 2 ;;
  esac
done
BIN="$BUILD/daemon/fleetfuel"
GEN="$BUILD/bench/ff_bench_gen"
NEXT="$BUILD/tests/rules/fleetfuel_next_rules"   # the test-only build with other rules
RESULTS="${RESULTS:-$BUILD/bench-results}"
for f in "$BIN" "$GEN" /usr/bin/time; do
  [ -x "$f" ] || { echo "bench: $f is missing (cmake --build $BUILD --target fleetfuel ff_bench_gen)" >&2; exit 2; }
done
mkdir -p "$RESULTS"
WORK="$(mktemp -d /tmp/ff-bench.XXXXXX)"
chmod 755 "$WORK"   # the PostgreSQL cluster below runs as the postgres user
RECORDS="$WORK/records.jsonl"   # one JSON object per measurement, assembled at the end
FAILURES="$WORK/failures"
: >"$RECORDS"; : >"$FAILURES"
DAEMON_PID=""
cleanup() {
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null || true
  "$ROOT/scripts/services.sh" stop "$WORK/svc" >/dev/null 2>&1 || true
  [ "$KEEP" = 1 ] && echo "bench: kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

SERVICES="$("$ROOT/scripts/services.sh" start "$WORK/svc" pg)" || { echo "bench: PostgreSQL did not start" >&2; exit 2; }
eval "$SERVICES"
PGLOG="$WORK/svc/pg/server.log"
POSTMASTER="$(head -1 "$FF_TEST_PGDATA/postmaster.pid")"
export PGOPTIONS="-c client_min_messages=warning"

fail() { echo "bench: FAIL: $*" | tee -a "$FAILURES" >&2; }
note() { echo "bench: $*" >&2; }

# CPU seconds of the whole cluster so far: the postmaster and every backend it has reaped.
db_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15 + $16 + $17) / hz }' "/proc/$POSTMASTER/stat"
}

# n_tup_ins n_tup_upd n_tup_del of fuel.records, once the statistics have settled: a backend
# flushes them when it exits, asynchronously, so read until three reads 200 ms apart agree.
tuple_stats() {  # tuple_stats URL
  local prev="" cur same=0
  for _ in $(seq 1 50); do
    cur="$(psql -X -Atq -F' ' -d "$1" -c "SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables
      WHERE relid = 'fuel.records'::regclass")"
    if [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; fi
    [ "$same" -ge 2 ] && break
    prev="$cur"; sleep 0.2
  done
  echo "$cur"
}

# Server time by kind of statement, from the log lines (log_min_duration_statement = 0) written
# since byte OFFSET: copy, apply (the apply functions: plan, merge, trigger), other.
server_split() {  # server_split OFFSET
  tail -c +"$(($1 + 1))" "$PGLOG" | python3 -c '
import re, sys, json
t = {"copy_ms": 0.0, "apply_ms": 0.0, "other_ms": 0.0}
for line in sys.stdin:
    m = re.search(r"duration: ([0-9.]+) ms\s+(?:statement|execute [^:]*): (.*)", line)
    if not m: continue
    ms, sql = float(m.group(1)), m.group(2)
    k = "copy_ms" if sql.lstrip().upper().startswith("COPY") else \
        "apply_ms" if "apply_snapshot" in sql or "apply_change_file" in sql else "other_ms"
    t[k] += ms
print(json.dumps({k: round(v, 1) for k, v in t.items()}))'
}

# Runs a command under /usr/bin/time -v and appends one record: wall, cpu, peak RSS, db cpu,
# tuple deltas, the server split, and the command's --json output when it has one.
measure() {  # measure SIZE NAME URL ROWS -- COMMAND...
  local size="$1" name="$2" url="$3" rows="$4"; shift 5
  local before after cpu0 cpu1 off rc=0
  before="$(tuple_stats "$url")"; cpu0="$(db_cpu)"; off="$(stat -c %s "$PGLOG")"
  /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/out.json" 2>"$WORK/err.txt" || rc=$?
  # After the statistics settle the backend has exited and been reaped, so its CPU is counted.
  after="$(tuple_stats "$url")"; cpu1="$(db_cpu)"
  [ "$rc" = 0 ] || { fail "$name at $size rows exited $rc: $(tail -3 "$WORK/err.txt")"; }
  python3 - "$size" "$name" "$rows" "$rc" "$before" "$after" "$cpu0" "$cpu1" "$(server_split "$off")" \
    "$WORK/time.txt" "$WORK/out.json" >>"$RECORDS" <<'PY'
import json, sys
size, name, rows, rc, before, after, cpu0, cpu1, split, timef, outf = sys.argv[1:]
t = {}
for line in open(timef):
    k, _, v = line.strip().rpartition(": ")
    t[k] = v
def wall(s):
    parts = [float(p) for p in s.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
b = [int(x or 0) for x in before.split()] or [0, 0, 0]
a = [int(x or 0) for x in after.split()] or [0, 0, 0]
out = open(outf).read().strip().splitlines()
counts = {}
for line in reversed(out):
    try:
        counts = json.loads(line); break
    except ValueError:
        pass
print(json.dumps({
    "size": int(size), "step": name, "rows": int(rows), "exit": int(rc),
    "wall_s": wall(t["Elapsed (wall clock) time (h:mm:ss or m:ss)"]),
    "cpu_s": float(t["User time (seconds)"]) + float(t["System time (seconds)"]),
    "peak_rss_kib": int(t["Maximum resident set size (kbytes)"]),
    "db_cpu_s": round(float(cpu1) - float(cpu0), 2),
    "tuples": {"ins": a[0] - b[0], "upd": a[1] - b[1], "del": a[2] - b[2]},
    "server": json.loads(split), "counts": counts}))
PY
}

field() {  # field SIZE STEP EXPR: EXPR over r, the step's last record
  python3 - "$RECORDS" "$1" "$2" "$3" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = [x for x in recs if x["size"] == int(sys.argv[2]) and x["step"] == sys.argv[3]][-1]
print(eval(sys.argv[4], {"r": r}))
PY
}
expect() {  # expect WHAT ACTUAL WANTED
  [ "$2" = "$3" ] || fail "$1: got $2, expected $3"
}

# The daemon's delay from a change file written to its row visible, at a 1 s poll interval, and
# its RSS and CPU when idle afterwards.
daemon_run() {  # daemon_run SIZE URL DATA
  local size="$1" url="$2" dir="$WORK/e2e-$1" port delays="" pid
  mkdir -p "$dir/fuel_records/changes"
  # The snapshot already applied, as the same file (same mtime and size: the same ETag), so the
  # daemon's first snapshot cycle is the 304 it would see in production between exports.
  ln "$3/changed/fuel_records/latest.json" "$dir/fuel_records/latest.json"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  ( cd "$dir" && DATABASE_URL="$url" FUEL_SOURCE_DIR="$dir" CHANGES_INTERVAL=1s SNAPSHOT_INTERVAL=1h \
    HTTP_LISTEN="127.0.0.1:$port" exec "$BIN" run >"$WORK/daemon-$size.log" 2>&1 ) &
  DAEMON_PID=$!; pid=$DAEMON_PID
  local ready=0
  for _ in $(seq 1 100); do
    curl -sf "127.0.0.1:$port/readyz" >/dev/null 2>&1 && { ready=1; break; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if [ "$ready" = 0 ]; then
    note "fleetfuel run did not become ready at $size rows: $(tail -2 "$WORK/daemon-$size.log")"
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; DAEMON_PID=""
    echo "{\"size\": $size, \"step\": \"daemon\", \"available\": false}" >>"$RECORDS"
    return 0
  fi
  sleep 2
  local i id t0 t1
  for i in 1 2 3 4 5; do
    id=$((size * 10 + i))
    printf '{"table":"logistics_department.fuel_records","changes":[{"op":"insert","id":%d,"changed_at":"2026-06-05T00:00:0%dZ","row":{"id":%d,"litres":"40","updated_at":"2026-06-05T00:00:0%dZ"}}]}' \
      "$id" "$i" "$id" "$i" >"$dir/tmp.json"
    t0="$(date +%s.%N)"
    mv "$dir/tmp.json" "$dir/fuel_records/changes/20260605T00000${i}Z.json"
    t1=""
    for _ in $(seq 1 300); do
      [ "$(psql -X -Atq -d "$url" -c "SELECT count(*) FROM fuel.records WHERE id = $id")" = 1 ] && { t1="$(date +%s.%N)"; break; }
      sleep 0.05
    done
    [ -n "$t1" ] || { fail "daemon did not apply change file $i within 15 s at $size rows"; break; }
    delays="$delays $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
    sleep "0.$((RANDOM % 9 + 1))"
  done
  local cpu0 cpu1 rss hz; hz="$(getconf CLK_TCK)"
  cpu0="$(awk '{ print $14 + $15 }' "/proc/$pid/stat")"
  sleep "$IDLE_WAIT"
  cpu1="$(awk '{ print $14 + $15 }' "/proc/$pid/stat")"
  rss="$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")"
  local hwm; hwm="$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")"
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; DAEMON_PID=""
  python3 -c "
import json, statistics
d = [float(x) for x in '$delays'.split()]
print(json.dumps({'size': $size, 'step': 'daemon', 'available': True, 'delays_s': d,
  'delay_median_s': statistics.median(d) if d else None, 'delay_max_s': max(d) if d else None,
  'idle_wait_s': $IDLE_WAIT, 'idle_rss_kib': $rss, 'peak_rss_kib': $hwm,
  'idle_cpu_s': ($cpu1 - $cpu0) / $hz}))" >>"$RECORDS"
}

bench_size() {  # bench_size N
  local n="$1" data="$WORK/data-$1" db="bench_$1" url files=$(( $1 >= 100000 ? 100 : 20 ))
  note "size $n: generating"
  "$GEN" --rows "$n" --out "$data" --change-files "$files"
  psql -X -q -d "$FF_TEST_DATABASE_URL" -c "CREATE DATABASE $db"
  url="${FF_TEST_DATABASE_URL%/*}/$db"
  psql -X -q -d "$FF_TEST_DATABASE_URL" -c "ALTER DATABASE $db SET log_min_duration_statement = 0"
  DATABASE_URL="$url" "$BIN" migrate >/dev/null 2>"$WORK/migrate.txt" || { fail "migrate: $(tail -2 "$WORK/migrate.txt")"; return; }
  if [ -n "$BASELINE_SQL" ]; then
    local f; for f in "$BASELINE_SQL"/*.sql; do psql -X -q -v ON_ERROR_STOP=1 -d "$url" -f "$f" >/dev/null; done
  fi
  psql -X -q -d "$url" -c "CREATE TABLE public.bench_floor (raw jsonb)"
  # Warm the page cache for every reader alike.
  cat "$data/floor.copy" "$data/base/fuel_records/latest.json" >/dev/null

  note "size $n: floor (best of $REPS)"
  local r
  for r in $(seq 1 "$REPS"); do
    psql -X -q -d "$url" -c "TRUNCATE public.bench_floor"
    measure "$n" "floor_$r" "$url" "$n" -- psql -X -q -d "$url" -c "\\copy public.bench_floor (raw) FROM '$data/floor.copy'"
  done

  export DATABASE_URL="$url"
  note "size $n: first load"
  measure "$n" first_load "$url" "$n" -- "$BIN" import --snapshot --apply --json --source-dir "$data/base"
  expect "first load inserted tuples ($n rows)" "$(field "$n" first_load "r['tuples']['ins']")" "$n"

  note "size $n: no-op reconcile"
  touch "$data/base/fuel_records/latest.json"   # new mtime: a new ETag for the local store
  measure "$n" noop "$url" "$n" -- "$BIN" import --snapshot --apply --json --source-dir "$data/base"
  expect "no-op reconcile tuples written in fuel.records (ins+upd+del)" \
    "$(field "$n" noop "r['tuples']['ins'] + r['tuples']['upd'] + r['tuples']['del']")" 0
  expect "no-op reconcile rows unchanged" "$(field "$n" noop "r['counts'].get('unchanged')")" "$n"

  note "size $n: 10 % changed, 1 % gone, 1 % new"
  measure "$n" changed "$url" "$n" -- "$BIN" import --snapshot --apply --json --source-dir "$data/changed"
  expect "changed snapshot: updated" "$(field "$n" changed "r['counts'].get('updated')")" "$((n / 10))"
  expect "changed snapshot: inserted" "$(field "$n" changed "r['counts'].get('inserted')")" "$((n / 100))"
  expect "changed snapshot: soft-deleted" "$(field "$n" changed "r['counts'].get('soft_deleted')")" "$((n / 100))"

  note "size $n: $files change files of 100 changes"
  measure "$n" changes "$url" "$((files * 100))" -- "$BIN" import --changes --apply --json --source-dir "$data/changes"
  expect "change files: rows read" "$(field "$n" changes "r['counts'].get('rows_read')")" "$((files * 100))"

  note "size $n: one change file of 50 000 changes, 15 000 ids twice"
  measure "$n" bigchange "$url" 50000 -- "$BIN" import --changes --apply --json --source-dir "$data/bigchange"
  expect "big change file: rows read" "$(field "$n" bigchange "r['counts'].get('rows_read')")" 50000
  expect "big change file: duplicates" "$(field "$n" bigchange "r['counts'].get('duplicates')")" 15000
  expect "big change file: stale (second changes older than the first)" \
    "$(field "$n" bigchange "r['counts'].get('stale')")" 3750

  # The trigger's work alone, serial as in a load (no parallel workers), and a behaviour check:
  # every stored row's typed columns equal fuel.normalise(raw), whichever path wrote them.
  note "size $n: fuel.normalise over every stored row"
  # The typed columns as lib/parse/typed_column_set.hpp lists them (one "X(name, type)" a line).
  local cols; cols="$(sed -n 's/^ *X(\([a-z_]*\), [a-z_]*).*/\1/p' "$ROOT/lib/parse/typed_column_set.hpp")"
  [ -n "$cols" ] || fail "no typed columns found in lib/parse/typed_column_set.hpp"
  local c rcols="" ncols=""
  for c in $cols; do rcols="${rcols:+$rcols, }r.$c"; ncols="${ncols:+$ncols, }n.$c"; done
  local stored; stored="$(psql -X -Atq -d "$url" -c "SELECT count(*) FROM fuel.records")"
  measure "$n" normalise "$url" "$stored" -- psql -X -Atq -d "$url" -c "SET max_parallel_workers_per_gather = 0;
    SELECT json_build_object('differing', count(*) FILTER (WHERE ROW($rcols) IS DISTINCT FROM
      ROW($ncols)), 'rows', count(*))
    FROM fuel.records AS r CROSS JOIN LATERAL fuel.normalise(r.raw) AS n"
  expect "rows whose typed columns differ from fuel.normalise(raw)" \
    "$(field "$n" normalise "r['counts'].get('differing')")" 0

  # The same comparison as the operator runs it, beside the ledger and watermark checks; the
  # normalise step above is its baseline.
  note "size $n: fleetfuel verify"
  measure "$n" verify "$url" "$stored" -- "$BIN" verify --json --source-dir "$data/changes"
  expect "fleetfuel verify: everything agrees" "$(field "$n" verify "r['counts'].get('ok')")" True
  expect "fleetfuel verify: rows compared" \
    "$(field "$n" verify "[c for c in r['counts']['checks'] if c['check'] == 'typed_columns'][0].get('rows')")" "$stored"

  # A release whose rules differ installs them with every stored row normalised again,
  # in one transaction. rules_upgrade: the next rules of tests/rules (one rule more; this data set
  # has no row it changes), so every row is read and normalised and none written: the floor of
  # any rules change. rules_rewrite: back to this release's rules (--allow-downgrade) after every
  # row's station was overwritten (not measured, vacuumed), so every row is written: the cost of
  # a rule that changes every row.
  if [ -x "$NEXT" ]; then
    note "size $n: rules upgrade (every row read, none changed)"
    measure "$n" rules_upgrade "$url" "$stored" -- "$NEXT" migrate
    expect "rules upgrade: tuples written in fuel.records" \
      "$(field "$n" rules_upgrade "r['tuples']['ins'] + r['tuples']['upd'] + r['tuples']['del']")" 0
    psql -X -q -d "$url" -c "UPDATE fuel.records SET station = 'bench'" -c "VACUUM fuel.records"
    note "size $n: rules rewrite (every row changed)"
    measure "$n" rules_rewrite "$url" "$stored" -- "$BIN" migrate --allow-downgrade
    expect "rules rewrite: rows updated in fuel.records" "$(field "$n" rules_rewrite "r['tuples']['upd']")" "$stored"
  else
    note "size $n: $NEXT is missing: rules steps skipped"
  fi

  note "size $n: daemon end-to-end delay and idle"
  daemon_run "$n" "$url" "$data"
  unset DATABASE_URL
  rm -rf "$data"
}

IFS=',' read -ra LIST <<<"$SIZES"
for n in "${LIST[@]}"; do bench_size "$n"; done

python3 "$ROOT/bench/report.py" "$RECORDS" "$RESULTS/latest.json" "$FAILURES"
if [ -s "$FAILURES" ]; then
  echo "bench: behaviour checks failed:" >&2; cat "$FAILURES" >&2; exit 1
fi
