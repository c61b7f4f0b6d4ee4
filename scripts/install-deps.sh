#!/usr/bin/env bash
# Installs everything FleetFuel needs to build, run and test on Debian 12, with one apt-get call.
# Idempotent: installs only what is missing. Run as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # build
  build-essential cmake pkg-config clang-format
  libboost1.81-dev libpq-dev rapidjson-dev libspdlog-dev libfmt-dev catch2 libssl-dev libexpat1-dev
  # test services and tools
  postgresql-15 prometheus openssl ca-certificates curl procps python3 python3-yaml
  chromium wrk clang libclang-rt-14-dev time
)
# Debian's npm conflicts with the Node.js package some machines come with: add it only when missing.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages of the tests, pinned by their package-lock.json: the S3 server (s3rver) and
# playwright-core, which drives Debian's chromium for the Fuel Log page test, and axe-core.
for dir in tests/s3rver tests/browser; do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "install-deps: npm ci in $dir" >&2
    # --loglevel=error, not --silent: quiet when it works, npm's own error when it does not.
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) ||
      { echo "install-deps: npm ci in $dir failed (npm's error above)" >&2; exit 1; }
  fi
done
