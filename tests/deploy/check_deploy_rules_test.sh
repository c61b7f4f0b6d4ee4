#!/usr/bin/env bash
# scripts/check-deploy.sh catches each mistake it is there for: every case below breaks one rule
# in a copy of the deploy files and expects the check to fail with that rule's message.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0
# promtool and systemd-analyze lint files these cases do not touch: stand-ins keep each run short.
mkdir -p "$tmp/bin"
for tool in promtool systemd-analyze; do printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/$tool"; chmod +x "$tmp/bin/$tool"; done
export PATH="$tmp/bin:$PATH"

fresh_copy() {
  rm -rf "$tmp/r" && mkdir -p "$tmp/r/scripts" "$tmp/r/docs" "$tmp/r/lib/config" "$tmp/r/lib/metrics"
  cp "$ROOT/scripts/check-deploy.sh" "$tmp/r/scripts/"
  cp -r "$ROOT/deploy" "$tmp/r/"
  cp "$ROOT/docs/runbook.md" "$ROOT/docs/metrics.md" "$tmp/r/docs/"
  cp "$ROOT/lib/config/config_table.cpp" "$tmp/r/lib/config/"
  cp "$ROOT"/lib/metrics/*.cpp "$tmp/r/lib/metrics/"
}

# expect NAME MESSAGE FILE SED-SCRIPT: after the edit, check-deploy fails and prints MESSAGE.
expect() {
  local name="$1" message="$2" file="$3" script="$4"
  fresh_copy
  sed -i -e "$script" "$tmp/r/$file"
  if cmp -s "$ROOT/$file" "$tmp/r/$file"; then
    echo "FAIL $name: the edit changed nothing in $file"; failures=$((failures + 1)); return
  fi
  if "$tmp/r/scripts/check-deploy.sh" >"$tmp/out" 2>&1; then
    echo "FAIL $name: check-deploy passed"; failures=$((failures + 1))
  elif ! grep -qF -- "$message" "$tmp/out"; then
    echo "FAIL $name: no '$message' in:"; sed 's/^/    /' "$tmp/out"; failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

fresh_copy
"$tmp/r/scripts/check-deploy.sh" >"$tmp/out" 2>&1 || { cat "$tmp/out"; echo "the unchanged copy fails"; exit 1; }

expect "build context outside the checkout" "is not the repository root" \
  deploy/compose.yaml 's#^      context: \.$#      context: ..#'
expect "fixed image: switches off per-commit tags" "switches off Coolify's per-commit image tags" \
  deploy/compose.yaml 's#^    build:$#    image: fleetfuel:latest\n    build:#'
expect "\${VAR:?message} becomes the value" "Coolify turns the message into the value" \
  deploy/compose.yaml 's#^      RUSTFS_ACCESS_KEY: .*#      RUSTFS_ACCESS_KEY: ${RUSTFS_ACCESS_KEY:?set RUSTFS_ACCESS_KEY}#'
expect "a default that differs from the daemon's" "differs from the daemon's" \
  deploy/compose.yaml 's#^      HTTP_LISTEN: .*#      HTTP_LISTEN: 0.0.0.0:8080\n      CHANGES_INTERVAL: ${CHANGES_INTERVAL:-10s}#'
expect "network name without the :? check" "name is not \${TRACKSOLID_NETWORK:?message}" \
  deploy/compose.yaml 's#^    name: \${TRACKSOLID_NETWORK.*#    name: coolify#'
expect "a throwaway service in production" "services other than fleetfuel" \
  deploy/compose.yaml 's#^networks:$#  rustfs:\n    image: rustfs/rustfs:latest\n\nnetworks:#'
expect "runbook base directory /deploy" "Base Directory is not" \
  docs/runbook.md 's#^| Base Directory | `/`#| Base Directory | `/deploy`#'
expect "runbook names a compose file that does not exist" "Docker Compose Location names no file" \
  docs/runbook.md 's#^| Docker Compose Location | `/deploy/compose.yaml`#| Docker Compose Location | `/docker-compose.yaml`#'
expect "ProcSubset=pid hides /proc/stat" "ProcSubset=pid hides /proc/stat" \
  deploy/systemd/fleetfuel.service 's#^ProtectProc=invisible$#ProtectProc=invisible\nProcSubset=pid#'
expect "a *_FILE secret without LoadCredential=" "no LoadCredential=rustfs_secret_key" \
  deploy/systemd/fleetfuel.service '/^LoadCredential=rustfs_secret_key:/d'

((failures == 0)) || { echo "check_deploy_rules_test: $failures rule(s) not caught"; exit 1; }
echo "check_deploy_rules_test: every broken rule is caught"
