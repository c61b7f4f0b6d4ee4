#!/usr/bin/env bash
# Runs a command with Debian 12's own Node.js 18 first on PATH, as a fresh Debian 12 machine has
# it: our machines come with Node 20, which hides a test package that needs more than Node 18.
#   scripts/with-node18.sh scripts/test.sh -L browser
# Takes Debian's nodejs and libnode108 packages (apt-get download) apart into build/node18/;
# where `node` is already 18, runs the command as it is.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${NODE18_DIR:-$ROOT/build/node18}"

if [ "$(node --version 2>/dev/null | cut -d. -f1)" = v18 ]; then exec "$@"; fi
if [ ! -x "$DIR/bin/node" ]; then
  # Debian's own build (+dfsg ...~deb12), not a third-party repository's Node 20.
  version="$(apt-cache madison nodejs | awk -F'|' '$2 ~ /deb12|dfsg/ {gsub(/ /, "", $2); print $2; exit}')"
  [ -n "$version" ] || { echo "with-node18: no Debian nodejs 18 in the apt lists (apt-get update)" >&2; exit 1; }
  rm -rf "$DIR" && mkdir -p "$DIR/debs" "$DIR/bin"
  (cd "$DIR/debs" && apt-get download -q "nodejs=$version" "libnode108=$version" 2>/dev/null)
  for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$DIR/root"; done
  # Debian's node loads some of its builtins (acorn, cjs-module-lexer, undici) from
  # /usr/share/nodejs: those packages hold only JavaScript files and install beside any nodejs.
  mapfile -t js < <(dpkg-deb -f "$DIR"/debs/libnode108_*.deb Depends | tr ',' '\n' | sed -n 's/^ *\(node-[a-z0-9-]*\).*/\1/p')
  missing=()
  for p in "${js[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "with-node18: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  cat >"$DIR/bin/node" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$DIR/root/usr/lib/$(gcc -print-multiarch)" exec "$DIR/root/usr/bin/node" "\$@"
WRAP
  chmod +x "$DIR/bin/node"
fi
"$DIR/bin/node" -e 'process.exit(0)' || { echo "with-node18: Debian's node does not run" >&2; exit 1; }
echo "with-node18: node $("$DIR/bin/node" --version) from Debian's nodejs package" >&2
PATH="$DIR/bin:$PATH" exec "$@"
