#!/usr/bin/env bash
# The main job on a local default: a throwaway PostgreSQL, the bundled sample export in
# config/sample/ as the source (FUEL_SOURCE_DIR), `fleetfuel migrate` and a full import,
# then a look at what the reporting views show. Nothing outside /tmp is touched.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFF_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" --target fleetfuel

DEMO_DIR="$(mktemp -d /tmp/fleetfuel-demo.XXXXXX)"
trap '"$ROOT/scripts/services.sh" stop "$DEMO_DIR"; rm -rf "$DEMO_DIR"' EXIT
eval "$(scripts/services.sh start "$DEMO_DIR" pg)"

export DATABASE_URL="$FF_TEST_DATABASE_URL"
export FUEL_SOURCE_DIR="$ROOT/config/sample"
FF="$BUILD_DIR/daemon/fleetfuel"

echo "== fleetfuel migrate"
"$FF" migrate
echo "== fleetfuel import --snapshot --changes (dry run: counts only)"
"$FF" import --snapshot --changes
echo "== fleetfuel import --snapshot --changes --apply"
"$FF" import --snapshot --changes --apply
echo "== what the reporting views show"
psql -X "$DATABASE_URL" -c "SELECT count(*) AS records, count(*) FILTER (WHERE deleted_at IS NULL) AS live FROM fuel.records;" \
  -c "SELECT id, fill_date, vehicle_reg, department, litres, price_per_litre, amount, fuel_type, flags FROM reporting.v_fuel_fills ORDER BY fill_date DESC, id DESC LIMIT 10;" \
  -c "SELECT vehicle_reg, fill_date, odometer_km, distance_km, km_per_litre, plausible FROM reporting.v_fuel_efficiency ORDER BY vehicle_reg, fill_date LIMIT 10;"
