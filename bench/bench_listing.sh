#!/usr/bin/env bash
# What listing changes/ costs when it holds a lot: the ListObjectsV2 requests, time and
# memory of the daemon's full listing and of its idle polls, and of the one-shot commands that list
# fully (`import --changes`, dry run, and `verify`), for a day of minute files (1 440, the baseline)
# beside a year of them (100 000), in the same run.
#
#   bench/bench_listing.sh [--build-dir DIR] [--objects N,N] [--idle-wait S]
#                          [--poll-interval D] [--keep]
#
# Defaults: build-release/, 1440,100000, idle polls every 5s watched for 60 s. About 35 minutes on 2
# cores, nearly all of it s3rver's: it answers each listing request by walking its whole bucket
# directory, so its time per request grows with the bucket (the s3rver column shows its share).
#
# The bucket is an s3rver of its own (tests/s3rver, the test suite's S3 server, which verifies
# signatures), over HTTP, with bench/s3rver_list_log.js preloaded: it logs every listing request it
# serves and how long it took, so requests are counted by the server (and checked against
# fleetfuel_s3_requests_total) and the server's share of the time is known. The objects are written
# straight into its directory in its own layout (content, .md5, metadata), which it then lists and
# serves like uploaded objects: PUTting 100 000 objects through it would take longer than
# everything measured and measure nothing.
#
# Every change file but one is in the ledger as applied (one INSERT over generate_series, with the
# ETag s3rver reports), as after a year of polls, and the watermark is the newest: the steady state
# being measured. The one left out sits in the middle of the keys, far below where the polls list
# from: the daemon's first, full listing must find it as a late file.
#
# Exit status: 0, or 1 when a behaviour check fails (the late file is not found, an idle poll takes
# more than one request, the server and the client count requests differently, import finds work,
# verify finds a difference or lists another number of objects, a step fails). Timing never fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build-release"
OBJECTS="1440,100000"
IDLE_WAIT=60
POLL_INTERVAL=5s
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD="$(cd "$2" && pwd)"; shift 2 ;;
    --objects) OBJECTS="$2"; shift 2 ;;
    --idle-wait) IDLE_WAIT="$2"; shift 2 ;;
    --poll-interval) POLL_INTERVAL="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--objects N,N] [--idle-wait S] [--poll-interval D]" \
         "[--keep]" >&2
       exit 2 ;;
  esac
done
BIN="$BUILD/daemon/fleetfuel"
for f in "$BIN" /usr/bin/time "$ROOT/tests/s3rver/node_modules"; do
  [ -e "$f" ] && continue
  echo "bench_listing: $f is missing (build fleetfuel; scripts/install-deps.sh)" >&2
  exit 2
done
WORK="$(mktemp -d /tmp/ff-bench-listing.XXXXXX)"
chmod 755 "$WORK"   # the PostgreSQL cluster below runs as the postgres user
S3PID="" DAEMON_PID=""
cleanup() {
  if [ -n "$DAEMON_PID" ]; then kill "$DAEMON_PID" 2>/dev/null || true; fi
  if [ -n "$S3PID" ]; then kill "$S3PID" 2>/dev/null || true; fi
  "$ROOT/scripts/services.sh" stop "$WORK/svc" >/dev/null 2>&1 || true
  if [ "$KEEP" = 1 ]; then echo "bench_listing: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
eval "$("$ROOT/scripts/services.sh" start "$WORK/svc" pg)"
export PGOPTIONS="-c client_min_messages=warning"
TICKS="$(getconf CLK_TCK)"
RESULTS="$WORK/results.txt"
FAILURES="$WORK/failures"
: >"$RESULTS"; : >"$FAILURES"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
note() { echo "bench_listing: $*" >&2; }
fail() { echo "bench_listing: FAILED: $*" >&2; echo "$*" >>"$FAILURES"; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
metric() {  # metric PORT SERIES: the sample's value, 0 when absent (or /metrics not up yet)
  { curl -s "127.0.0.1:$1/metrics" || true; } |
    awk -v s="$2" 'index($0, s " ") == 1 { print $2 + 0; found = 1 } END { if (!found) print 0 }'
}
cpu_s() { awk -v t="$TICKS" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }  # user + system
proc_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }    # VmHWM or VmRSS
# The server's listing log: requests so far, and the seconds it spent serving them.
served() { wc -l <"$LIST_LOG" | tr -d ' '; }
served_s() { awk '{ s += $1 } END { printf "%.3f", s / 1000 }' "$LIST_LOG"; }
row() {  # row N STEP REQS WALL_S S3RVER_S CPU_S RSS_MIB
  printf '%8d  %-34s %9s %8s %9s %7s %8s\n' "$@" >>"$RESULTS"
}

# fill DIR N: N minute files from 2025-01-01T00:00Z under DIR/fuel/fuel_records/changes/, and an
# empty snapshot; prints the change files' ETag (the MD5 of their common content) and size.
fill() {
  python3 - "$1" "$2" <<'PY'
import datetime, hashlib, json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
def put(key, body):
    path = os.path.join(root, "fuel", key + "._S3rver_object")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f: f.write(body)
    with open(path + ".md5", "w") as f: f.write(hashlib.md5(body).hexdigest())
    with open(os.path.join(root, "fuel", key + "._S3rver_metadata.json"), "w") as f:
        json.dump({"content-type": "application/json"}, f)
put("fuel_records/latest.json",
    b'{"table":"logistics_department.fuel_records","exported_at":"2026-01-01T00:00:00Z","row_count":0,"rows":[]}')
body = b'{"table":"logistics_department.fuel_records","changes":[]}'
start = datetime.datetime(2025, 1, 1)
for i in range(n):
    name = (start + datetime.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    put("fuel_records/changes/" + name + ".json", body)
print(hashlib.md5(body).hexdigest(), len(body))
PY
}

start_s3rver() {  # start_s3rver DIR LOG: sets S3PORT and S3PID
  S3PORT="$(free_port)"
  FF_BENCH_LIST_LOG="$2" NODE_OPTIONS=--openssl-legacy-provider \
    node --require "$ROOT/bench/s3rver_list_log.js" "$ROOT/tests/s3rver/server.js" \
    --port "$S3PORT" --dir "$1" --bucket fuel >"$WORK/s3rver.log" 2>&1 &
  S3PID=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$S3PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  note "s3rver did not start: $(tail -3 "$WORK/s3rver.log")"; exit 1
}

# The ledger as after a year of polls: every change file applied but the one in the middle.
seed_ledger() {  # seed_ledger URL N ETAG SIZE
  psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<SQL
INSERT INTO fuel.change_files (key, etag, status, processed_at, last_modified, size_bytes)
SELECT 'fuel_records/changes/' ||
       to_char(timestamp '2025-01-01' + i * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') ||
       '.json', '$3', 'applied', now(), now(), $4
FROM generate_series(0, $2 - 1) AS i
WHERE i <> $2 / 2;
UPDATE fuel.ingest_state SET watermark = (SELECT max(key) FROM fuel.change_files)
WHERE stream = 'changes';
SQL
}

# wait_cycle PORT AFTER: waits until more than AFTER changes cycles have ended and prints how many.
wait_cycle() {
  local c
  for _ in $(seq 1 500); do
    c="$(metric "$1" 'fleetfuel_cycle_duration_seconds_count{stream="changes"}')"
    [ "$c" -gt "$2" ] && { echo "$c"; return; }
    sleep 0.02
  done
  echo "$2"
}

# next_poll_end: waits until the server has answered one more listing (at most 10 minutes), then
# for the poll that sent it to end (its ledger look-up: a millisecond or two).
next_poll_end() {
  local base
  base="$(served)"
  for _ in $(seq 1 30000); do
    [ "$(served)" -gt "$base" ] && { sleep 0.1; return 0; }
    kill -0 "$DAEMON_PID" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}

# The daemon: its first changes cycle is the full listing (it lists fully at start), then idle
# polls every POLL_INTERVAL for IDLE_WAIT seconds. The counters are read right after a cycle ends:
# the next poll's request is then not yet answered (it takes s3rver 50 ms at the least). Ends are
# awaited in the daemon's log and the server's, not by scraping /metrics, which would add the
# scrapes to the daemon's CPU.
measure_daemon() {  # measure_daemon N
  local n="$1" port log="$WORK/daemon-$1.log"
  port="$(free_port)"
  LOG_LEVEL=debug CHANGES_INTERVAL="$POLL_INTERVAL" SNAPSHOT_INTERVAL=1h \
    HTTP_LISTEN="127.0.0.1:$port" "$BIN" run >"$log" 2>&1 &
  DAEMON_PID=$!
  until grep -q 'changes: full listing:' "$log"; do
    kill -0 "$DAEMON_PID" 2>/dev/null || { fail "$n: the daemon exited: $(tail -3 "$log")"; return; }
    sleep 0.02
  done
  local cycles lists0 sum0 cpu0 served0 served_s0 late hwm want_late=0
  cycles="$(wait_cycle "$port" 0)"
  lists0="$(metric "$port" 'fleetfuel_s3_requests_total{op="list",outcome="ok"}')"
  sum0="$(metric "$port" 'fleetfuel_cycle_duration_seconds_sum{stream="changes"}')"
  late="$(metric "$port" 'fleetfuel_change_files_late_total')"
  cpu0="$(cpu_s "$DAEMON_PID")"; served0="$(served)"; served_s0="$(served_s)"
  hwm="$(proc_kib "$DAEMON_PID" VmHWM)"
  [ "$cycles" = 1 ] || fail "$n: $cycles changes cycles had ended when the first was read"
  # The file left out is late when at least the polls' overlap (100) + 1 change files sort after it.
  [ $((n - 1 - n / 2)) -ge 101 ] && want_late=1
  [ "$late" = "$want_late" ] ||
    fail "$n: the full listing found $late late files (expected $want_late: the one not in the ledger)"
  [ "$lists0" = "$served0" ] ||
    fail "$n: full listing: the daemon counted $lists0 list requests, the server $served0"
  [ "$served0" = $(((n + 999) / 1000)) ] ||
    fail "$n: the full listing took $served0 requests (pages of 1 000: $(((n + 999) / 1000)))"
  row "$n" "daemon: full listing (first poll)" "$served0" "$(calc "$sum0" 2)" "$served_s0" \
    "$(calc "$cpu0" 2)" "$(calc "$hwm / 1024" 1)"

  # The idle window runs from the end of the first poll after the full listing to the end of the
  # first poll after IDLE_WAIT.
  next_poll_end || { fail "$n: no poll after the full listing: $(tail -3 "$log")"; return; }
  cycles="$(metric "$port" 'fleetfuel_cycle_duration_seconds_count{stream="changes"}')"
  lists0="$(metric "$port" 'fleetfuel_s3_requests_total{op="list",outcome="ok"}')"
  sum0="$(metric "$port" 'fleetfuel_cycle_duration_seconds_sum{stream="changes"}')"
  cpu0="$(cpu_s "$DAEMON_PID")"; served0="$(served)"; served_s0="$(served_s)"
  sleep "$IDLE_WAIT"
  next_poll_end || { fail "$n: no poll ended after $IDLE_WAIT s: $(tail -3 "$log")"; return; }
  local cycles1 lists1 sum1 cpu1 served1 served_s1 rss polls
  cycles1="$(metric "$port" 'fleetfuel_cycle_duration_seconds_count{stream="changes"}')"
  lists1="$(metric "$port" 'fleetfuel_s3_requests_total{op="list",outcome="ok"}')"
  sum1="$(metric "$port" 'fleetfuel_cycle_duration_seconds_sum{stream="changes"}')"
  cpu1="$(cpu_s "$DAEMON_PID")"; served1="$(served)"; served_s1="$(served_s)"
  rss="$(proc_kib "$DAEMON_PID" VmRSS)"; hwm="$(proc_kib "$DAEMON_PID" VmHWM)"
  kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
  polls=$((cycles1 - cycles))
  [ "$polls" -ge 1 ] || { fail "$n: no idle poll ended in $IDLE_WAIT s"; return; }
  [ "$((lists1 - lists0))" = "$polls" ] ||
    fail "$n: $polls idle polls made $((lists1 - lists0)) list requests (expected one each)"
  [ "$((served1 - served0))" = "$polls" ] ||
    fail "$n: $polls idle polls, the server served $((served1 - served0)) listings"
  row "$n" "daemon: idle poll (mean of $polls)" "$(calc "($served1 - $served0) / $polls" 2)" \
    "$(calc "($sum1 - $sum0) / $polls")" "$(calc "($served_s1 - $served_s0) / $polls")" \
    "$(calc "($cpu1 - $cpu0) / $polls")" "$(calc "$rss / 1024" 1)"
  echo "$n $(calc "$hwm / 1024" 1)" >>"$WORK/daemon-peak"
}

# A one-shot command under /usr/bin/time; prints its stdout into $WORK/out.json.
measure_once() {  # measure_once N LABEL ARGS...
  local n="$1" label="$2" served0 served_s0 code=0
  shift 2
  served0="$(served)"; served_s0="$(served_s)"
  /usr/bin/time -v -o "$WORK/time.txt" "$BIN" "$@" >"$WORK/out.json" 2>"$WORK/err.txt" || code=$?
  [ "$code" = 0 ] || fail "$n: fleetfuel $* exited $code: $(tail -2 "$WORK/err.txt")"
  local wall cpu rss
  wall="$(awk -F': ' '/Elapsed/ { k = split($2, p, ":"); s = 0
                                   for (i = 1; i <= k; i++) s = s * 60 + p[i]; print s }' \
    "$WORK/time.txt")"
  cpu="$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' \
    "$WORK/time.txt")"
  rss="$(awk -F': ' '/Maximum resident/ { print $2 / 1024 }' "$WORK/time.txt")"
  row "$n" "$label" "$(($(served) - served0))" "$(calc "$wall" 2)" \
    "$(calc "$(served_s) - $served_s0")" "$(calc "$cpu" 2)" "$(calc "$rss" 1)"
}

run_size() {  # run_size N
  local n="$1" dir="$WORK/s3-$1" db="listing_$1" url etag size
  note "$n objects: writing them into the bucket"
  read -r etag size < <(fill "$dir" "$n")
  LIST_LOG="$WORK/lists-$n.log"; : >"$LIST_LOG"
  start_s3rver "$dir" "$LIST_LOG"
  psql -X -q -d "$FF_TEST_DATABASE_URL" -c "CREATE DATABASE $db"
  url="${FF_TEST_DATABASE_URL%/*}/$db"
  export DATABASE_URL="$url" RUSTFS_ENDPOINT="http://127.0.0.1:$S3PORT" RUSTFS_ACCESS_KEY=S3RVER \
    RUSTFS_SECRET_KEY=S3RVER FUEL_BUCKET=fuel
  if ! "$BIN" migrate >"$WORK/migrate.log" 2>&1; then
    fail "$n: migrate: $(tail -2 "$WORK/migrate.log")"; return
  fi
  seed_ledger "$url" "$n" "$etag" "$size"

  note "$n objects: the daemon's full listing at start, then idle polls for $IDLE_WAIT s"
  measure_daemon "$n"

  note "$n objects: import --changes (dry run: a full listing) and verify"
  measure_once "$n" "import --changes (dry run)" import --changes --json
  python3 - "$WORK/out.json" <<'PY' || fail "$n: import --changes found work; the ledger has it all"
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if c["files_applied"] == 0 and c["files_quarantined"] == 0 else 1)
PY
  measure_once "$n" "verify" verify --json
  python3 - "$WORK/out.json" "$n" <<'PY' || fail "$n: verify: $(head -c 600 "$WORK/out.json")"
import json, sys
v, n = json.load(open(sys.argv[1])), int(sys.argv[2])
files = next(c for c in v["checks"] if c["check"] == "change_files")
sys.exit(0 if v["ok"] and files["objects_listed"] == n and files["in_ledger"] == n else 1)
PY

  kill "$S3PID"; wait "$S3PID" 2>/dev/null || true; S3PID=""
  unset DATABASE_URL RUSTFS_ENDPOINT
  rm -rf "$dir"
}

IFS=',' read -ra SIZES <<<"$OBJECTS"
for n in "${SIZES[@]}"; do run_size "$n"; done
echo
printf '%8s  %-34s %9s %8s %9s %7s %8s\n' objects step "list req" "wall s" "s3rver s" "cpu s" \
  "RSS MiB"
cat "$RESULTS"
cat <<'NOTES'

list req: ListObjectsV2 requests, counted by the server. Idle poll rows are per poll.
wall s: the changes cycle (fleetfuel_cycle_duration_seconds), or the command's elapsed time.
s3rver s: of that, the server's time answering the listings (arrival to end of response).
cpu s: FleetFuel's user+system CPU (the daemon's full listing row includes its start).
RSS: peak (VmHWM) for the full listing and the commands; current (VmRSS) after the idle polls.
NOTES
echo "Daemon peak after the idle polls (MiB, objects peak): $(tr '\n' ' ' <"$WORK/daemon-peak")"
if [ -s "$FAILURES" ]; then
  echo "bench_listing: $(wc -l <"$FAILURES") behaviour check(s) failed:" >&2
  cat "$FAILURES" >&2
  exit 1
fi
