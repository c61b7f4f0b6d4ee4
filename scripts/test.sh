#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds with ASan+UBSan, starts a throwaway
# PostgreSQL cluster and S3 servers on 127.0.0.1, runs ctest, and stops what it started.
#   scripts/test.sh                 # everything
#   scripts/test.sh -R sigv4        # extra arguments go to ctest
# BUILD_DIR (default build-asan) and JOBS (default nproc) can be set.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-asan}"
JOBS="${JOBS:-$(nproc)}"

phase() { printf '\n== %s (%s)\n' "$1" "$(date +%T)" >&2; }

phase "dependencies"
scripts/install-deps.sh

phase "build (ASan + UBSan)"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DFF_SANITIZE=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"

phase "services"
SERVICES_DIR="$(mktemp -d /tmp/fleetfuel-test.XXXXXX)"
trap '"$ROOT/scripts/services.sh" stop "$SERVICES_DIR"; rm -rf "$SERVICES_DIR"' EXIT
eval "$("$ROOT/scripts/services.sh" start "$SERVICES_DIR")"

phase "tests"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export FF_TEST_FLEETFUEL_BIN="$BUILD_DIR/daemon/fleetfuel"
cd "$BUILD_DIR"
ctest --output-on-failure -j "$JOBS" "$@"
