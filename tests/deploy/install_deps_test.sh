#!/usr/bin/env bash
# A failing `npm ci` in scripts/install-deps.sh shows npm's own error, not only our one line.
# Runs the script on a copy of tests/s3rver without its package-lock.json (npm refuses that
# offline, at once).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/scripts" "$tmp/tests/s3rver" "$tmp/tests/browser"
cp "$ROOT/scripts/install-deps.sh" "$tmp/scripts/"
cp "$ROOT/tests/s3rver/package.json" "$tmp/tests/s3rver/"
if "$tmp/scripts/install-deps.sh" >"$tmp/out" 2>&1; then
  echo "install_deps_test: install-deps.sh passed without a lock file" >&2; exit 1
fi
grep -q "npm ci in tests/s3rver failed" "$tmp/out" || { cat "$tmp/out" >&2; echo "install_deps_test: no failure line" >&2; exit 1; }
# npm's own words (npm 9 and 10 both name the missing package-lock.json).
grep -qi "package-lock.json" "$tmp/out" || { cat "$tmp/out" >&2; echo "install_deps_test: npm's error is hidden" >&2; exit 1; }
echo "install_deps_test: npm's error is shown"
