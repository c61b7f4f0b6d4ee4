#!/usr/bin/env bash
# Measures the cost of normalisation (sql/R__010_normalise.sql) per row against the database's floor.
#
#   tests/sql/bench_normalise.sh [--rows N] [--reps R] [--baseline FILE]
#
# Needs FF_TEST_DATABASE_URL (eval "$(scripts/services.sh start DIR pg)"). Creates a scratch
# database, generates N contract-shaped messy rows with generate_series and seeded random choices,
# and prints, in µs per row (best of R repetitions):
#   floor     INSERT of the same raw jsonb into an unindexed table without a trigger (COPY-equivalent)
#   trigger   INSERT into fuel.records, so the normalise trigger runs for every row
#   normalise SELECT fuel.normalise(raw) over the same rows
# With --baseline FILE (e.g. an older R__010, `git show REV:sql/R__010_normalise.sql > FILE`), the
# same is measured first with FILE, then with the working tree's R__010 re-applied over it as the
# migration runner would; the script then fails unless both produced identical typed columns for
# every row. No timing is asserted: this is a measurement, not a test.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROWS=100000
REPS=3
BASELINE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --baseline) BASELINE="$2"; shift 2 ;;
    *) echo "usage: $0 [--rows N] [--reps R] [--baseline FILE]" >&2; exit 2 ;;
  esac
done
: "${FF_TEST_DATABASE_URL:?FF_TEST_DATABASE_URL is not set (eval \"\$(scripts/services.sh start DIR pg)\")}"

DB="ff_bench_normalise_$$"
ADMIN=(psql -X -q -v ON_ERROR_STOP=1 -d "$FF_TEST_DATABASE_URL")
"${ADMIN[@]}" -c "CREATE DATABASE $DB"
trap '"${ADMIN[@]}" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT
URL="${FF_TEST_DATABASE_URL%/*}/$DB"
# Every statement runs far from Nairobi and with a search_path that does not name fuel, as the
# functions must not depend on the session.
# Serial plans: parallel workers skew a per-row cost on a shared machine.
export PGOPTIONS="-c TimeZone=America/Los_Angeles -c DateStyle=SQL,DMY -c search_path=public -c max_parallel_workers_per_gather=0"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d "$URL")

apply() { "${PSQL[@]}" -f "$1" >/dev/null; }

# Milliseconds that one statement takes, measured by the server (no client round trip in it).
server_ms() {
  "${PSQL[@]}" -At -c "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN EXECUTE \$q\$ $1 \$q\$;
    RAISE NOTICE 'ms=%', extract(epoch FROM clock_timestamp() - t0) * 1000; END \$\$" 2>&1 |
    sed -n 's/.*ms=//p'
}

# Best of REPS runs of the statement, as µs per row; SETUP runs (untimed) before each.
best_us() {  # best_us SETUP STATEMENT
  local best="" ms i
  for i in $(seq 1 "$REPS"); do
    [ -n "$1" ] && "${PSQL[@]}" -c "$1"
    ms="$(server_ms "$2")"
    best="$(awk -v a="$best" -v b="$ms" 'BEGIN { print (a == "" || b < a) ? b : a }')"
  done
  awk -v ms="$best" -v n="$ROWS" 'BEGIN { printf "%.2f", ms * 1000 / n }'
}

apply "$ROOT/sql/V0001__fuel_schema.sql"

# Contract-shaped rows (section 4), mostly tidy with every messy form the contract lists mixed in.
"${PSQL[@]}" <<SQL
SELECT setseed(0.20260611) \gset
CREATE TABLE public.bench_src AS
SELECT g AS id, jsonb_build_object(
    'id', g,
    'message_id', CASE WHEN random() < 0.9 THEN 'wamid.' || md5(g::text) END,
    'reported_at', (ARRAY[to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS') || '+03:00', to_char(ts, 'YYYY-MM-DD HH24:MI:SS'),
                          to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(ts, 'YYYY-MM-DD HH24:MI +0300'),
                          NULL, 'yesterday'])[1 + floor(random() * 6)::int],
    'fill_date', (ARRAY[to_char(ts, 'YYYY-MM-DD'), to_char(ts, 'DD/MM/YYYY'), to_char(ts, 'FMDD-FMMM-YYYY'),
                        to_char(ts, 'YYYY-MM-DD"T00:00:00Z"'), '', NULL, '31/02/2026', 'last week'])[1 + floor(random() * 8)::int],
    'vehicle_reg', (ARRAY['KDA 123A', ' kda-123a ', 'KBZ 456B/ZF 1234', 'kcx' || (g % 1000) || 'q', NULL,
                          'K' || chr(65 + g % 26) || chr(65 + g % 7) || ' ' || (100 + g % 900) || chr(65 + g % 11)])[1 + floor(random() * 6)::int],
    'driver_name', (ARRAY['John Kamau', ' john  kamau ', E'Mary\tWanjiku', NULL, ''])[1 + floor(random() * 5)::int],
    'department', (ARRAY['Logistics', 'logistics ', 'LOGISTICS', 'Sales  & Distribution', NULL])[1 + floor(random() * 5)::int],
    'station', (ARRAY['Shell Westlands', ' Total  Ngong Rd ', 'Rubis', NULL])[1 + floor(random() * 4)::int],
    'litres', (ARRAY[to_jsonb(l), to_jsonb(l::text), to_jsonb(to_char(l * 25, 'FM9,999.00')), to_jsonb(l || ' L'),
                     to_jsonb(l || 'ltrs'), to_jsonb(replace(l::text, '.', ',')), 'null'::jsonb, to_jsonb(''::text)])[1 + floor(random() * 8)::int],
    'price_per_litre', (ARRAY[to_jsonb(p), to_jsonb(p::text), to_jsonb('KES ' || p), 'null'::jsonb])[1 + floor(random() * 4)::int],
    'amount', (ARRAY[to_jsonb(round(l * p, 2)), to_jsonb(to_char(l * p, 'FM999,999.00')), to_jsonb('KES ' || to_char(l * p, 'FM999,999.00')),
                     to_jsonb('Ksh ' || round(l * p)), to_jsonb(round(l * p) || '/='), to_jsonb(round(l * p * 1.2, 2)), 'null'::jsonb])[1 + floor(random() * 7)::int],
    'odometer', (ARRAY[to_jsonb(o), to_jsonb(to_char(o, 'FM999,999') || ' km'), to_jsonb(o || 'KM'), to_jsonb(0), 'null'::jsonb,
                       to_jsonb(o || '.5'), to_jsonb(o::text)])[1 + floor(random() * 7)::int],
    'fuel_type', (ARRAY['diesel', 'Diesel', 'AGO', 'PMS', 'super', ' petrol ', 'unleaded', 'kerosene', NULL])[1 + floor(random() * 9)::int],
    'payment_method', (ARRAY['card', 'cash', 'M-Pesa', 'mpesa', 'Fuel Card', NULL])[1 + floor(random() * 6)::int],
    'receipt_no', CASE WHEN random() < 0.8 THEN 'R-' || lpad(g::text, 5, '0') END,
    'full_tank', (ARRAY['true'::jsonb, 'false', '"yes"', '"no"', '"Y"', '1', 'null', '"maybe"'])[1 + floor(random() * 8)::int],
    'notes', (ARRAY[NULL, '', 'paid by supervisor', 'Ünïcödé ✓'])[1 + floor(random() * 4)::int],
    'created_at', to_char(ts - interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS+03:00'),
    'updated_at', to_char(ts, 'YYYY-MM-DD HH24:MI:SS'),
    'deleted_at', CASE WHEN random() < 0.05 THEN to_char(ts + interval '1 day', 'YYYY-MM-DD HH24:MI:SS') END
  ) AS raw
FROM generate_series(1, $ROWS) AS g
CROSS JOIN LATERAL (SELECT timestamp '2026-01-01' + random() * interval '180 days' AS ts,
                           round((5 + random() * 80)::numeric, 2) AS l,
                           round((170 + random() * 30)::numeric, 2) AS p,
                           floor(random() * 400000)::int AS o) AS v;
CREATE TABLE public.bench_floor (id bigint, raw jsonb);
ANALYZE public.bench_src;
SQL

# The typed columns as lib/parse/typed_column_set.hpp lists them (one "X(name, type)" a line).
COLUMNS="$(sed -n 's/^ *X(\([a-z_]*\), [a-z_]*).*/\1/p' "$ROOT/lib/parse/typed_column_set.hpp" | paste -sd, -)"
[ -n "$COLUMNS" ] || { echo "no typed columns found in lib/parse/typed_column_set.hpp" >&2; exit 1; }

# The typed columns of every row, as text in UTC, to compare two versions exactly.
snapshot() {  # snapshot TABLE
  "${PSQL[@]}" -c "SET TimeZone = 'UTC'; CREATE TABLE public.$1 AS
    SELECT id, ROW($COLUMNS)::text AS t FROM fuel.records"
}

measure() {  # measure LABEL
  local floor trigger normalise
  floor="$(best_us 'TRUNCATE public.bench_floor' \
    'INSERT INTO public.bench_floor (id, raw) SELECT id, raw FROM public.bench_src')"
  trigger="$(best_us 'TRUNCATE fuel.records' \
    'INSERT INTO fuel.records (id, raw) SELECT id, raw FROM public.bench_src')"
  normalise="$(best_us '' 'SELECT count(fuel.normalise(raw)) FROM public.bench_src')"
  printf '%-10s %10s %10s %10s %10s\n' "$1" "$floor" "$trigger" "$normalise" \
    "$(awk -v t="$trigger" -v f="$floor" 'BEGIN { printf "%.1fx", t / f }')"
}

echo "rows=$ROWS reps=$REPS (best of), µs per row; PostgreSQL $("${PSQL[@]}" -At -c 'SHOW server_version')"
printf '%-10s %10s %10s %10s %10s\n' version floor trigger normalise 'trig/floor'
if [ -n "$BASELINE" ]; then
  apply "$BASELINE"
  measure before
  snapshot bench_before
fi
# R__010 and the repeatable files it builds on (R__005_unicode_case.sql), in the runner's order.
for f in "$ROOT"/sql/R__0*.sql; do
  apply "$f"
  [ "$(basename "$f")" = R__010_normalise.sql ] && break
done
measure after
if [ -n "$BASELINE" ]; then
  snapshot bench_after
  differing="$("${PSQL[@]}" -At -c "SELECT count(*) FROM public.bench_before AS b
    FULL JOIN public.bench_after AS a USING (id) WHERE a.t IS DISTINCT FROM b.t")"
  echo "rows whose typed columns differ between before and after: $differing"
  [ "$differing" = 0 ] || { "${PSQL[@]}" -c "SELECT b.id, b.t AS before, a.t AS after FROM public.bench_before AS b
    FULL JOIN public.bench_after AS a USING (id) WHERE a.t IS DISTINCT FROM b.t LIMIT 5"; exit 1; }
fi
