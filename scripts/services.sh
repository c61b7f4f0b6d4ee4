#!/usr/bin/env bash
# Starts throwaway test services and prints `export` lines for them; `stop DIR` stops them again.
#   eval "$(scripts/services.sh start DIR)"   # PostgreSQL + S3 (HTTP and HTTPS) under DIR
#   scripts/services.sh stop DIR
#   eval "$(scripts/services.sh start DIR pg)" # PostgreSQL only
# Environment handed to the tests (documented in docs/testing.md):
#   FF_TEST_DATABASE_URL   postgresql://postgres@127.0.0.1:PORT/postgres (trust auth, throwaway cluster)
#   FF_TEST_PASSWORD_URL   the same cluster as a role that must give its password (scram-sha-256)
#   FF_TEST_PGDATA, FF_TEST_PGBIN, FF_TEST_PGPORT   for tests that stop and restart the server
#   FF_TEST_S3_ENDPOINT    http://127.0.0.1:PORT (s3rver, verifies SigV4; credentials S3RVER/S3RVER)
#   FF_TEST_S3_TLS_ENDPOINT https://localhost:PORT, FF_TEST_S3_CA_FILE  the CA that signed its cert
#   FF_TEST_S3_ACCESS_KEY, FF_TEST_S3_SECRET_KEY
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:?usage: services.sh start|stop DIR}"
DIR="${2:?usage: services.sh start|stop DIR}"
ONLY="${3:-all}"

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  echo "services: no PostgreSQL server binaries found (apt-get install postgresql-15)" >&2
  exit 1
}

wait_port() {  # wait_port PORT NAME
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "services: $2 did not start on port $1" >&2
  return 1
}

start() {
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  local bin; bin="$(pg_bin)"
  local pgport; pgport="$(free_port)"
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
  mkdir -p "$DIR/pg"
  chown postgres:postgres "$DIR/pg"
  chmod 755 "$DIR"
  runuser -u postgres -- "$bin/initdb" -D "$DIR/pg/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$DIR/pg/initdb.log" 2>&1
  # Every login is trusted except this one role's, so a wrong password can be tested.
  runuser -u postgres -- sed -i '1i host all ff_password_user 127.0.0.1/32 scram-sha-256' \
    "$DIR/pg/data/pg_hba.conf"
  runuser -u postgres -- "$bin/pg_ctl" -D "$DIR/pg/data" -l "$DIR/pg/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  echo "$bin" >"$DIR/pg/bin"
  runuser -u postgres -- "$bin/psql" -h "$DIR/pg" -p "$pgport" -U postgres -qc \
    "CREATE ROLE ff_password_user LOGIN PASSWORD 'ff-right-password'" postgres
  cat <<ENV
export FF_TEST_DATABASE_URL='postgresql://postgres@127.0.0.1:$pgport/postgres'
export FF_TEST_PASSWORD_URL='postgresql://ff_password_user:ff-right-password@127.0.0.1:$pgport/postgres'
export FF_TEST_PGDATA='$DIR/pg/data'
export FF_TEST_PGBIN='$bin'
export FF_TEST_PGPORT='$pgport'
export FF_TEST_PGSOCKET='$DIR/pg'
ENV
  [ "$ONLY" = "pg" ] && return 0

  # S3 over HTTP, and over HTTPS with a certificate from a throwaway CA.
  local s3port s3tlsport
  s3port="$(free_port)"; s3tlsport="$(free_port)"
  mkdir -p "$DIR/s3/data" "$DIR/s3/tls-data" "$DIR/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=FleetFuel Test CA" \
    -keyout "$DIR/tls/ca.key" -out "$DIR/tls/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$DIR/tls/server.key" -out "$DIR/tls/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$DIR/tls/ext.cnf"
  openssl x509 -req -in "$DIR/tls/server.csr" -CA "$DIR/tls/ca.pem" -CAkey "$DIR/tls/ca.key" \
    -CAcreateserial -days 2 -extfile "$DIR/tls/ext.cnf" -out "$DIR/tls/server.pem" >/dev/null 2>&1
  # Paginated listings need the legacy provider on Node >= 17 (s3rver's continuation tokens).
  NODE_OPTIONS=--openssl-legacy-provider nohup node "$ROOT/tests/s3rver/server.js" --port "$s3port" \
    --dir "$DIR/s3/data" >"$DIR/s3/server.log" 2>&1 &
  echo $! >"$DIR/s3/pid"
  NODE_OPTIONS=--openssl-legacy-provider nohup node "$ROOT/tests/s3rver/server.js" --port "$s3tlsport" \
    --dir "$DIR/s3/tls-data" --key "$DIR/tls/server.key" --cert "$DIR/tls/server.pem" \
    >"$DIR/s3/tls-server.log" 2>&1 &
  echo $! >"$DIR/s3/tls-pid"
  wait_port "$s3port" s3rver
  wait_port "$s3tlsport" "s3rver (TLS)"

  cat <<ENV
export FF_TEST_S3_ENDPOINT='http://127.0.0.1:$s3port'
export FF_TEST_S3_TLS_ENDPOINT='https://localhost:$s3tlsport'
export FF_TEST_S3_CA_FILE='$DIR/tls/ca.pem'
export FF_TEST_S3_ACCESS_KEY='S3RVER'
export FF_TEST_S3_SECRET_KEY='S3RVER'
ENV
}

stop() {
  [ -d "$DIR" ] || return 0
  for f in "$DIR/s3/pid" "$DIR/s3/tls-pid"; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  if [ -f "$DIR/pg/bin" ]; then
    runuser -u postgres -- "$(cat "$DIR/pg/bin")/pg_ctl" -D "$DIR/pg/data" -m immediate stop \
      >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: services.sh start|stop DIR" >&2; exit 2 ;;
esac
