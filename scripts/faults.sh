#!/usr/bin/env bash
# The fault-injection suite (tests/faults) with more seeded kill points: builds build-faults/,
# starts throwaway services, runs faults_tests and prints the results table lines.
#   scripts/faults.sh            # FF_FAULTS_POINTS=200 SIGKILL points per kill scenario
#   FF_FAULTS_POINTS=50 scripts/faults.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="$ROOT/build-faults"
SERVICES="$(mktemp -d /tmp/ff-faults-svc.XXXXXX)"
export FF_FAULTS_POINTS="${FF_FAULTS_POINTS:-200}"
export FF_FAULTS_REPORT="$SERVICES/report.txt"
trap '"$ROOT/scripts/services.sh" stop "$SERVICES"' EXIT

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DFF_SANITIZE=ON >/dev/null
cmake --build "$BUILD" -j2 --target faults_tests fleetfuel
eval "$("$ROOT/scripts/services.sh" start "$SERVICES")"
cd "$SERVICES"
status=0
"$BUILD/tests/faults/faults_tests" --durations yes || status=$?
echo "---- results (scenario | runs | lost | duplicated | wrong) ----"
cat "$FF_FAULTS_REPORT"
exit "$status"
