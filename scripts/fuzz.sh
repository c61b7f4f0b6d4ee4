#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan) into build-fuzz/ and runs each one for a
# bounded time on its checked-in seed corpus; fails on any crash, leak, timeout or broken property.
#   scripts/fuzz.sh            # 20 s per target (CI)
#   scripts/fuzz.sh 300        # 5 min per target
# FUZZ_TARGETS (space-separated subset), BUILD_DIR (default build-fuzz) and JOBS can be set.
# Inputs found to crash are kept in $BUILD_DIR/artifacts/; copy one to fuzz/regressions/<target>/
# so the hostile_fuzz_replay test replays it on every test run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_PER_TARGET="${1:-20}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
JOBS="${JOBS:-$(nproc)}"
TARGETS="${FUZZ_TARGETS:-framer sigv4 s3_xml config http_routes http_parser}"

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }

echo "== build ($BUILD_DIR)" >&2
CC=clang CXX=clang++ cmake -S "$ROOT/fuzz" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target $(printf 'fuzz_%s ' $TARGETS)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$BUILD_DIR/artifacts" "$BUILD_DIR/logs"
failed=()
summary=()
for t in $TARGETS; do
  bin="$BUILD_DIR/fuzz_$t"
  seeds="$ROOT/fuzz/corpus/$t"
  work="$BUILD_DIR/corpus/$t"  # new inputs go here; the checked-in seeds stay untouched
  log="$BUILD_DIR/logs/$t.log"
  mkdir -p "$work"

  # Saved crashers first: each must now pass.
  regressions="$ROOT/fuzz/regressions/$t"
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    if ! "$bin" "$regressions"/* >"$BUILD_DIR/logs/$t.regressions.log" 2>&1; then
      echo "fuzz.sh: $t fails on a saved regression input; see $BUILD_DIR/logs/$t.regressions.log" >&2
      failed+=("$t(regression)")
      continue
    fi
  fi

  echo "== fuzz $t for ${SECONDS_PER_TARGET}s" >&2
  status=0
  "$bin" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$BUILD_DIR/artifacts/$t-" \
    "$work" "$seeds" >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' "$log" | tail -n 1)"
  corpus="$(find "$work" -type f | wc -l)"
  summary+=("$(printf '%-12s %12s execs  cov %-6s corpus %-6s %s' "$t" "${execs:-?}" "${cov:-?}" "$corpus" \
    "$([ $status -eq 0 ] && echo ok || echo CRASH)")")
  if [ $status -ne 0 ]; then
    failed+=("$t")
    echo "fuzz.sh: $t failed (exit $status); last lines of $log:" >&2
    tail -n 40 "$log" >&2
    ls -1 "$BUILD_DIR/artifacts/$t-"* 2>/dev/null >&2 || true
  fi
done

echo "== results (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
