#!/usr/bin/env bash
# Smoke-tests a built image from its own filesystem, as the image's own user, without a container
# engine (`podman run` is refused on our machines): `podman image mount`, then the image's
# ENTRYPOINT and CMD under `chroot --userspec` in new PID and mount namespaces (tini is PID 1,
# /proc and a tmpfs /tmp mounted, the image itself read-only), against a throwaway PostgreSQL and
# an S3 server (s3rver, verifies SigV4) holding the bundled sample export.
#   scripts/smoke-image.sh fleetfuel:TAG
# Checks, each fatal: `fleetfuel migrate`; `tini -- fleetfuel run` until the sample snapshot and
# both change files are applied; the image's HEALTHCHECK command exits 0; /metrics; SIGTERM makes
# the daemon exit 0 within SHUTDOWN_GRACE.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
IMAGE="${1:?usage: smoke-image.sh IMAGE}"
GRACE=8   # SHUTDOWN_GRACE's default (lib/config/config_table.cpp)

say() { printf '== smoke: %s\n' "$*"; }
die() { printf 'smoke: FAIL: %s\n' "$*" >&2; exit 1; }
inspect() { podman image inspect --format "$1" "$IMAGE"; }
json_words() { python3 -c 'import json,sys; print(" ".join(json.loads(sys.stdin.read()) or []))'; }

user="$(inspect '{{.Config.User}}')"
entrypoint="$(inspect '{{json .Config.Entrypoint}}' | json_words)"
cmd="$(inspect '{{json .Config.Cmd}}' | json_words)"
health="$(inspect '{{json .HealthCheck}}' | python3 -c 'import json,sys; print(" ".join((json.load(sys.stdin) or {}).get("Test") or []))')"
mapfile -t image_env < <(inspect '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
case "$user" in "" | 0 | 0:* | root | root:*) die "image runs as root (USER '$user')" ;; esac
[ "${health%% *}" = CMD ] || die "HEALTHCHECK is not an exec-form CMD: '$health'"
health="${health#CMD }"
say "$IMAGE: user $user, entrypoint '$entrypoint', cmd '$cmd', healthcheck '$health'"

WORK="$(mktemp -d /tmp/fleetfuel-smoke.XXXXXX)"
chmod 755 "$WORK"   # the PostgreSQL cluster below belongs to the postgres user
MNT=""
DAEMON=""
cleanup() {
  [ -n "$DAEMON" ] && kill -KILL "$DAEMON" 2>/dev/null || true
  "$ROOT/scripts/services.sh" stop "$WORK/svc" || true
  [ -n "$MNT" ] && podman image unmount "$IMAGE" >/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

MNT="$(podman image mount "$IMAGE")"
"$ROOT/scripts/services.sh" start "$WORK/svc" >"$WORK/services.env" || die "test services did not start"
. "$WORK/services.env"

# The sample export into the bucket, signed with SigV4 (curl's own signer, not ours).
s3put() {  # s3put PATH [FILE]
  local sha; sha="$(sha256sum "${2:-/dev/null}" | cut -d' ' -f1)"
  curl -sSf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$FF_TEST_S3_ACCESS_KEY:$FF_TEST_S3_SECRET_KEY" \
    -H "x-amz-content-sha256: $sha" -X PUT ${2:+-T "$2"} "$FF_TEST_S3_ENDPOINT/$1" >/dev/null
}
s3put fuel
(cd "$ROOT/config/sample" && find fuel_records -type f -name '*.json' | sort) | while read -r key; do
  s3put "fuel/${key//:/%3A}" "$ROOT/config/sample/$key"   # as SigV4 encodes it: curl does not
done
psql -XqAt "$FF_TEST_DATABASE_URL" -c "CREATE DATABASE smoke"
db_url="${FF_TEST_DATABASE_URL%/*}/smoke"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

ENV=("${image_env[@]}"
     "DATABASE_URL=$db_url" "RUSTFS_ENDPOINT=$FF_TEST_S3_ENDPOINT"
     "RUSTFS_ACCESS_KEY=$FF_TEST_S3_ACCESS_KEY" "RUSTFS_SECRET_KEY=$FF_TEST_S3_SECRET_KEY"
     "HTTP_LISTEN=127.0.0.1:$port" "CHANGES_INTERVAL=2s" "LOG_FORMAT=json")

# in_image CMD...: CMD in the image root as the image's user, PID 1 of a new PID namespace, with
# /proc, /dev and a tmpfs /tmp mounted in a private mount namespace (what a container has).
in_image() {
  env -i "${ENV[@]}" unshare --pid --fork --mount --propagation private \
    sh -c 'root=$1 user=$2 && shift 2 &&
           mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && mount -t tmpfs tmpfs "$root/tmp" &&
           exec chroot --userspec="$user" "$root" "$@"' sh "$MNT" "$user" "$@"
}
# CMD... in the running daemon's namespaces, as the image's user: what `docker exec` does, and
# so where Docker runs the HEALTHCHECK.
exec_in_image() {
  env -i "${ENV[@]}" nsenter --target "$pid1" --mount --pid chroot --userspec="$user" "$MNT" "$@"
}

say "fleetfuel migrate"
in_image fleetfuel migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "migrate failed"; }

say "$entrypoint $cmd (until the sample export is applied)"
# shellcheck disable=SC2086  # the image's ENTRYPOINT and CMD, word by word
in_image $entrypoint $cmd >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
# The container's PID 1 (tini): the process below unshare whose PID in its own namespace is 1.
ns_init() {
  local p q
  for p in $(pgrep -P "$DAEMON"); do
    for q in $p $(pgrep -P "$p"); do
      [ "$(awk '/^NSpid:/ {print $NF}' "/proc/$q/status" 2>/dev/null)" = 1 ] && { echo "$q"; return; }
    done
  done
}
pid1=""
for _ in $(seq 1 100); do pid1="$(ns_init)" && [ -n "$pid1" ] && break; sleep 0.1; done
[ -n "$pid1" ] || die "no PID 1 in the new PID namespace"
loaded=""
for _ in $(seq 1 240); do
  kill -0 "$DAEMON" 2>/dev/null || { cat "$WORK/daemon.log" >&2; die "the daemon exited"; }
  state="$(psql -XqAt "$db_url" -c "SELECT (SELECT count(*) FROM fuel.change_files WHERE status = 'applied')
             || '/' || (SELECT count(*) FROM fuel.records)" 2>/dev/null || true)"
  if [ "${state%%/*}" = 2 ] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; then loaded=1; break; fi
  sleep 0.5
done
[ -n "$loaded" ] || { cat "$WORK/daemon.log" >&2; die "sample export not applied within 120 s ($state)"; }
say "applied: 2 change files, ${state#*/} records"

say "healthcheck: $health"
# shellcheck disable=SC2086
exec_in_image $health || die "the image's HEALTHCHECK command failed"

say "GET /metrics"
curl -sf "http://127.0.0.1:$port/metrics" >"$WORK/metrics" || die "/metrics did not answer"
grep -Eq '^fleetfuel_rows_total\{stream="snapshot",action="inserted"\} [1-9]' "$WORK/metrics" ||
  die "/metrics: no inserted snapshot rows"
grep -Eq '^fleetfuel_leader 1$' "$WORK/metrics" || die "/metrics: not the leader"
grep -Eq '^process_start_time_seconds [1-9]' "$WORK/metrics" || die "/metrics: process_start_time_seconds is 0"

say "SIGTERM to PID 1 (tini), as docker stop does"
start=$(date +%s%N)
kill -TERM "$pid1"
rc=0; wait "$DAEMON" || rc=$?
DAEMON=""
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$rc" = 0 ] || { tail -20 "$WORK/daemon.log" >&2; die "exit $rc after SIGTERM"; }
[ "$ms" -le $((GRACE * 1000)) ] || die "took ${ms} ms to stop, above SHUTDOWN_GRACE (${GRACE}s)"
say "exit 0 after SIGTERM in ${ms} ms"
say "passed"
