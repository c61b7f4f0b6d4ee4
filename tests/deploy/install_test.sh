#!/usr/bin/env bash
# `cmake --install` of a build tree into a staging directory (DESTDIR): the binary runs, and the
# installed unit's ExecStart= and Documentation= name files that were installed.
#   tests/deploy/install_test.sh BUILD_DIR
set -euo pipefail
BUILD="${1:?usage: install_test.sh BUILD_DIR}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

DESTDIR="$stage" cmake --install "$BUILD" >"$stage.log" 2>&1 || { cat "$stage.log" >&2; rm -f "$stage.log"; exit 1; }
rm -f "$stage.log"
prefix="$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")"
unit="$stage$prefix/lib/systemd/system/fleetfuel.service"
[ -f "$unit" ] || fail "no unit at ${unit#"$stage"}"

exe="$(sed -n 's/^ExecStart=\([^ ]*\) run$/\1/p' "$unit")"
[ -n "$exe" ] || fail "unit has no ExecStart=... run"
[ -x "$stage$exe" ] || fail "ExecStart= names $exe, which was not installed"
"$stage$exe" --version >/dev/null || fail "the installed $exe does not run"

docs="$(sed -n 's/^Documentation=//p' "$unit")"
[ -n "$docs" ] || fail "unit has no Documentation="
for d in $docs; do
  case "$d" in
    file://*) [ -f "$stage${d#file://}" ] || fail "Documentation= names ${d#file://}, which was not installed" ;;
    *) fail "Documentation= $d is not an installed file" ;;
  esac
done
for f in runbook.md configuration.md commands.md metrics.md examples/fleetfuel.env; do
  [ -f "$stage$prefix/share/doc/fleetfuel/$f" ] || fail "share/doc/fleetfuel/$f not installed"
done
echo "install_test: $(cd "$stage" && find . -type f | wc -l) files installed under $prefix; unit paths resolve"
