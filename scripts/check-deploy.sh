#!/usr/bin/env bash
# Checks every file in deploy/ without a Docker engine (CTest: deploy_files, label deploy).
#   scripts/check-deploy.sh [path/to/fleetfuel]
# With a built binary, also checks that the runtime image installs every shared library it needs.
# Needs promtool (Debian: prometheus) and python3 with PyYAML (Debian: python3-yaml);
# systemd-analyze is used when present (a lint of the unit, skipped with a note otherwise).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
D="$ROOT/deploy"
BIN="${1:-${FF_FLEETFUEL_BIN:-}}"
PY=/usr/bin/python3
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

failures=0
step() { printf '== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }
note() { printf 'note: %s\n' "$*"; }

command -v promtool >/dev/null || { echo "check-deploy: promtool missing (apt-get install prometheus)" >&2; exit 1; }
"$PY" -c 'import yaml' 2>/dev/null || { echo "check-deploy: $PY has no PyYAML (apt-get install python3-yaml)" >&2; exit 1; }

# The metric families docs/metrics.md promises; every deploy file and doc may use only these.
METRICS="fleetfuel_ingest_lag_seconds fleetfuel_source_age_seconds fleetfuel_last_success_timestamp_seconds
fleetfuel_cycle_duration_seconds fleetfuel_rows_total fleetfuel_rows_flagged_total fleetfuel_files_total
fleetfuel_snapshot_refused_total fleetfuel_snapshot_deletes_withheld_total fleetfuel_change_files_late_total
fleetfuel_s3_requests_total fleetfuel_s3_request_duration_seconds
fleetfuel_db_up fleetfuel_leader fleetfuel_build_info fleetfuel_http_refused_total fleetfuel_rules_mismatch"
export METRICS ROOT TMP

step "prometheus: scrape config, rules, rule unit tests"
promtool check config "$D/prometheus/prometheus.yml" || fail "promtool check config"
promtool check rules "$D/prometheus/fleetfuel.rules.yml" || fail "promtool check rules"
(cd "$D/prometheus" && promtool test rules fleetfuel.rules.test.yml) || fail "promtool test rules"

step "metric names: rules, dashboard and docs/metrics.md against the promised names and lib/metrics"
"$PY" - <<'PY' || fail "metric names"
import os, re, sys, glob
root = os.environ["ROOT"]
fixed = set(os.environ["METRICS"].split())
def names(path):
    text = open(path).read()
    found = set(re.findall(r"\bfleetfuel_[a-z0-9_]+", text))
    # histogram series suffixes belong to their family
    return {re.sub(r"_(bucket|sum|count)$", "", n) if re.sub(r"_(bucket|sum|count)$", "", n) in fixed else n
            for n in found}
bad = False
for f in ["deploy/prometheus/fleetfuel.rules.yml", "deploy/prometheus/fleetfuel.rules.test.yml",
          "deploy/grafana/fleetfuel-dashboard.json", "docs/metrics.md"]:
    unknown = names(os.path.join(root, f)) - fixed
    if unknown:
        print(f"{f}: unknown metric names {sorted(unknown)}"); bad = True
documented = names(os.path.join(root, "docs/metrics.md"))
if fixed - documented:
    print(f"docs/metrics.md: undocumented {sorted(fixed - documented)}"); bad = True
code = set()
for f in glob.glob(os.path.join(root, "lib/metrics/*.cpp")):
    code |= set(re.findall(r'"(fleetfuel_[a-z0-9_]+)"', open(f).read()))
if not code:
    print("note: no fleetfuel_* families declared in lib/metrics yet: code comparison skipped")
else:
    if code - fixed: print(f"lib/metrics declares names not promised here: {sorted(code - fixed)}"); bad = True
    if fixed - code: print(f"lib/metrics does not declare: {sorted(fixed - code)}"); bad = True
sys.exit(1 if bad else 0)
PY

step "grafana: dashboard JSON"
"$PY" - "$D/grafana/fleetfuel-dashboard.json" >"$TMP/dashboard.rules.yml" <<'PY' || fail "grafana dashboard"
import json, sys
d = json.load(open(sys.argv[1]))
errors = []
if not isinstance(d.get("schemaVersion"), int): errors.append("schemaVersion missing")
if not d.get("uid") or not d.get("title"): errors.append("uid/title missing")
tmpl = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
if tmpl.get("datasource", {}).get("type") != "datasource": errors.append("no datasource variable")
exprs, ids = [], set()
for p in d.get("panels", []):
    if p["id"] in ids: errors.append(f"duplicate panel id {p['id']}")
    ids.add(p["id"])
    if p["type"] == "row": continue
    if p.get("datasource", {}).get("uid") != "${datasource}": errors.append(f"panel {p['title']}: not on $datasource")
    if not p.get("targets"): errors.append(f"panel {p['title']}: no query")
    for t in p.get("targets", []):
        exprs.append(t["expr"])
if errors:
    print("\n".join(errors), file=sys.stderr); sys.exit(1)
# Every query as a recording rule, so that promtool parses the PromQL.
print("groups:\n  - name: dashboard\n    rules:")
for i, e in enumerate(exprs):
    e = e.replace("$__rate_interval", "5m").replace("$job", ".*")
    print(f"      - record: dashboard:q{i}\n        expr: {json.dumps(e)}")
PY
promtool check rules "$TMP/dashboard.rules.yml" >/dev/null || fail "dashboard PromQL does not parse"

step "compose: deploy/compose.yaml as Coolify runs it, deploy/compose.local.yaml"
"$PY" - <<'PY' || fail "compose files"
import os, re, sys, yaml
root = os.environ["ROOT"]
errors = []
prod = yaml.safe_load(open(os.path.join(root, "deploy/compose.yaml")))
local = yaml.safe_load(open(os.path.join(root, "deploy/compose.local.yaml")))
svc = prod.get("services", {}).get("fleetfuel")
if not svc:
    print("deploy/compose.yaml: no service fleetfuel", file=sys.stderr); sys.exit(1)

# Production holds fleetfuel alone; the throwaway database and S3 server live in compose.local.yaml.
extra = set(prod["services"]) - {"fleetfuel"}
if extra: errors.append(f"compose.yaml: services other than fleetfuel {sorted(extra)}: move them to compose.local.yaml")
if any(s.get("profiles") for s in prod["services"].values()): errors.append("compose.yaml: profiles (local services belong in compose.local.yaml)")

def seconds(v):
    m = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", str(v))
    return int(m[1] or 0) * 60 + int(m[2] or 0) if m and v else 0
if svc.get("restart") != "unless-stopped": errors.append("fleetfuel: restart is not unless-stopped")
if seconds(svc.get("stop_grace_period")) <= 8: errors.append("fleetfuel: stop_grace_period not above SHUTDOWN_GRACE (8s)")
if svc.get("healthcheck", {}).get("test") != ["CMD", "fleetfuel", "healthcheck"]:
    errors.append("fleetfuel: healthcheck is not [CMD, fleetfuel, healthcheck]")
if "ports" in svc: errors.append("fleetfuel: publishes ports; /metrics is for the internal network only")

# Build context: Coolify runs `docker compose --project-directory <checkout><base directory>`
# (ApplicationDeploymentJob.php), so relative paths resolve against the repository root when the
# base directory is `/`, as the runbook says, never against deploy/.
build = svc.get("build") or {}
context = os.path.normpath(os.path.join(root, build.get("context", ".")))
if context != os.path.normpath(root):
    errors.append(f"fleetfuel: build context {build.get('context')!r} is not the repository root "
                  "(Coolify's project directory with base directory /)")
if not os.path.isfile(os.path.join(context, build.get("dockerfile", ""))):
    errors.append(f"fleetfuel: dockerfile {build.get('dockerfile')!r} not found in the build context")

# A fixed image: switches off Coolify's per-commit tag <uuid>_fleetfuel:<commit>, used by rollback.
if "image" in svc: errors.append("fleetfuel: has image:, which switches off Coolify's per-commit image tags")

# Values in environment: Coolify makes the part after :? or :- the variable's starting value.
table = open(os.path.join(root, "lib/config/config_table.cpp")).read()
defaults = dict(re.findall(r'\{"([A-Z][A-Z0-9_]+)",\s*Type::\w+,\s*&C::\w+,\s*"[^"]*",\s*"([^"]*)"', table))
container_defaults = {"LOG_FORMAT": "json"}   # deliberate: the log collector reads JSON lines
required = {"DATABASE_URL", "RUSTFS_ENDPOINT", "RUSTFS_ACCESS_KEY", "RUSTFS_SECRET_KEY"}
env = svc.get("environment", {})
if isinstance(env, list): errors.append("fleetfuel: environment as a list; use a mapping"); env = {}
for k, v in env.items():
    v = str(v)
    if re.search(r"\$\{[^}]*\?", v):
        errors.append(f"fleetfuel: {k} uses ${{VAR:?...}}: Coolify turns the message into the value")
    m = re.fullmatch(r"\$\{([A-Z0-9_]+)(?::-([^}]*))?\}", v)
    if k in required:
        if v != "${" + k + "}": errors.append(f"fleetfuel: required {k} must be exactly ${{{k}}} (got {v})")
    elif m and m[2] is not None:
        want = container_defaults.get(k, defaults.get(k))
        if m[1] != k or m[2] != want:
            errors.append(f"fleetfuel: {k}: default {m[2]!r} differs from the daemon's ({want!r})")
    elif "${" in v:
        errors.append(f"fleetfuel: {k}: only ${{{k}}} or ${{{k}:-<documented default>}} allowed")
    elif re.search(r"(SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL)", k):
        errors.append(f"fleetfuel: {k} has an inline value")
missing = required - set(env)
if missing: errors.append(f"fleetfuel: required variables missing from environment: {sorted(missing)}")

# Networks: an external network whose name Compose itself demands (outside environment:,
# Coolify leaves `:?` to Compose, which stops the deployment with the message).
nets = svc.get("networks") or []
if not nets: errors.append("fleetfuel: joins no network (timescale_db would not resolve)")
for net in nets:
    n = prod.get("networks", {}).get(net, {})
    if not n.get("external"): errors.append(f"network {net} is not external")
    if not re.fullmatch(r"\$\{TRACKSOLID_NETWORK:\?[^}]+\}", str(n.get("name", ""))):
        errors.append(f"network {net}: name is not ${{TRACKSOLID_NETWORK:?message}}")

# The local stack: only throwaway services, and the production service untouched but its order.
for name, s in local.get("services", {}).items():
    if name == "fleetfuel":
        if set(s) - {"depends_on"}: errors.append("compose.local.yaml: changes fleetfuel beyond depends_on")
        continue
    if "build" in s: errors.append(f"compose.local.yaml: {name} is built, not a throwaway image")
for want in ("timescale_db", "rustfs"):
    if want not in local.get("services", {}): errors.append(f"compose.local.yaml: no {want} service")
if errors:
    print("\n".join(errors), file=sys.stderr); sys.exit(1)
PY

step "runbook: the Coolify settings an operator needs, against deploy/"
"$PY" - <<'PY' || fail "runbook Coolify settings"
import os, re, sys
root = os.environ["ROOT"]
text = open(os.path.join(root, "docs/runbook.md")).read()
m = re.search(r"^### Coolify settings\n(.*?)(?=^#)", text, re.S | re.M)
if not m:
    print("docs/runbook.md: no '### Coolify settings' section", file=sys.stderr); sys.exit(1)
sec = m[1]
errors = []
def row(label):
    r = re.search(r"^\| " + re.escape(label) + r" \| (.*?) \|$", sec, re.M)
    if not r: errors.append(f"Coolify settings: no row '{label}'")
    return r[1] if r else ""
if "Docker Compose" not in row("Build Pack"): errors.append("Build Pack is not Docker Compose")
if "`/`" not in row("Base Directory"): errors.append("Base Directory is not `/`")
loc = re.search(r"`(/[^`]+)`", row("Docker Compose Location"))
if not loc or not os.path.isfile(os.path.join(root, loc[1].lstrip("/"))):
    errors.append("Docker Compose Location names no file of the repository")
variables = row("Environment Variables")
for v in ("DATABASE_URL", "RUSTFS_ENDPOINT", "RUSTFS_ACCESS_KEY", "RUSTFS_SECRET_KEY", "TRACKSOLID_NETWORK"):
    if v not in variables: errors.append(f"Environment Variables row lacks {v}")
for label in ("Network", "Health check", "Restart", "Domains", "Rollback"):
    row(label)
if "fleetfuel check" not in sec: errors.append("Coolify settings: does not prove the network with fleetfuel check")
if errors:
    print("\n".join(errors), file=sys.stderr); sys.exit(1)
PY

step "environment names: compose, systemd env file and local env against lib/config/config_table.cpp"
"$PY" - <<'PY' || fail "environment names"
import os, re, sys, yaml
root = os.environ["ROOT"]
table = os.path.join(root, "lib/config/config_table.cpp")
if not os.path.exists(table):
    print("note: lib/config/config_table.cpp not present: names not compared"); sys.exit(0)
known = set(re.findall(r'\{"([A-Z][A-Z0-9_]+)",', open(table).read()))
known |= {k + "_FILE" for k in ("DATABASE_URL", "RUSTFS_SECRET_KEY", "FUEL_ANALYTICS_TOKEN")}
deploy_only = {"TRACKSOLID_NETWORK", "LOCAL_POSTGRES_PASSWORD"}
c = yaml.safe_load(open(os.path.join(root, "deploy/compose.yaml")))
used = {"deploy/compose.yaml": set(c["services"]["fleetfuel"]["environment"])}
for f in ("deploy/systemd/fleetfuel.env", "deploy/local.env.example"):
    used[f] = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", open(os.path.join(root, f)).read(), re.M))
bad = False
for f, names in used.items():
    unknown = names - known - deploy_only
    if unknown:
        print(f"{f}: variables the code does not read: {sorted(unknown)}"); bad = True
sys.exit(1 if bad else 0)
PY

step "systemd: deploy/systemd/fleetfuel.service"
if command -v systemd-analyze >/dev/null; then
  # verify insists that ExecStart exists; the unit, not the binary, is what is checked here.
  exe=/bin/true; [ -n "$BIN" ] && [ -x "$BIN" ] && exe="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
  sed "s#/usr/local/bin/fleetfuel#$exe#" "$D/systemd/fleetfuel.service" >"$TMP/fleetfuel.service"
  out="$(systemd-analyze verify "$TMP/fleetfuel.service" 2>&1)" || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify warnings: $out"
else
  note "systemd-analyze not available: unit not verified (a lint, not a test of our code)"
fi
for k in 'Type=simple' 'Restart=always' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'DynamicUser=yes' \
         'EnvironmentFile=/etc/fleetfuel/fleetfuel.env' 'ExecStart=/usr/local/bin/fleetfuel run'; do
  grep -qx "$k" "$D/systemd/fleetfuel.service" || fail "fleetfuel.service lacks $k"
done
# /proc/stat holds the boot time that process_start_time_seconds is computed from.
grep -Eq '^ProcSubset=pid' "$D/systemd/fleetfuel.service" && fail "fleetfuel.service: ProcSubset=pid hides /proc/stat"
# DynamicUser's user cannot read root's files: every *_FILE secret must come as a credential (%d).
"$PY" - "$D/systemd/fleetfuel.service" "$D/systemd/fleetfuel.env" <<'PY' || fail "systemd secrets as credentials"
import re, sys
unit, envfile = open(sys.argv[1]).read(), open(sys.argv[2]).read()
creds = dict(re.findall(r"^LoadCredential=([\w.-]+):(\S+)$", unit, re.M))
env = dict(kv.split("=", 1) for line in re.findall(r"^Environment=(.*)$", unit, re.M) for kv in line.split())
errors = []
for k, v in env.items():
    if not k.endswith("_FILE"): continue
    m = re.fullmatch(r"%d/([\w.-]+)", v)
    if not m: errors.append(f"{k}={v}: not a credential path (%d/<id>)")
    elif m[1] not in creds: errors.append(f"{k}: no LoadCredential={m[1]}:...")
    if re.search(rf"^{k[:-5]}=", envfile, re.M): errors.append(f"fleetfuel.env sets {k[:-5]} as well as the unit's {k}")
if not any(k.endswith("_FILE") for k in env): errors.append("no secret comes as a credential")
for f in re.findall(r"^#?((?:DATABASE_URL|RUSTFS_SECRET_KEY|FUEL_ANALYTICS_TOKEN)_FILE)=", envfile, re.M):
    errors.append(f"fleetfuel.env suggests {f}: a root-owned file the dynamic user cannot read")
if errors: print("\n".join(errors), file=sys.stderr); sys.exit(1)
PY

step "docker: deploy/Dockerfile structure"
DF="$D/Dockerfile"
grep -Eq '^FROM debian:12 AS build$' "$DF" || fail "Dockerfile: build stage is not debian:12"
grep -Eq '^FROM debian:12-slim$' "$DF" || fail "Dockerfile: runtime stage is not debian:12-slim"
grep -Fqx 'HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["fleetfuel","healthcheck"]' "$DF" \
  || fail "Dockerfile: HEALTHCHECK CMD [\"fleetfuel\",\"healthcheck\"] missing"
grep -Fqx 'CMD ["fleetfuel","run"]' "$DF" || fail "Dockerfile: CMD [\"fleetfuel\",\"run\"] missing"
grep -Fqx 'ENTRYPOINT ["/usr/bin/tini","--"]' "$DF" || fail "Dockerfile: tini is not PID 1"
grep -Eq '^EXPOSE 8080$' "$DF" || fail "Dockerfile: EXPOSE 8080 missing"
last_user="$(awk '/^USER /{u=$2} END{print u}' "$DF")"
case "$last_user" in ""|root|0|0:*|root:*) fail "Dockerfile: runtime does not run as a non-root USER" ;; esac
grep -q -- "--target fleetfuel unit_tests" "$DF" || fail "Dockerfile: build stage builds more than fleetfuel and unit_tests"
grep -q "ctest .*-L '^unit\\$'" "$DF" || fail "Dockerfile: build stage does not run the unit tests (ctest -L '^unit\$')"
[ -f "$D/Dockerfile.dockerignore" ] && grep -qx '.git' "$D/Dockerfile.dockerignore" \
  || fail "deploy/Dockerfile.dockerignore missing or lets .git in"
if command -v hadolint >/dev/null; then hadolint "$DF" || fail "hadolint"; else note "hadolint not installed: structural checks only"; fi

# The runtime stage's apt list must provide each library the binary links directly.
runtime_pkgs="$(awk '/^FROM debian:12-slim/{r=1} r' "$DF" | tr -s ' \\\n' '\n' | grep -E '^lib|^tini$|^ca-certificates$' || true)"
if [ -n "$BIN" ] && [ -x "$BIN" ]; then
  step "runtime libraries of $(basename "$BIN")"
  base="libc6 libgcc-s1 libstdc++6"   # present in debian:12-slim
  while read -r lib; do
    # A sanitizer build (the test suite's) links its runtimes; the Release image never does.
    case "$lib" in libasan.so*|libubsan.so*|liblsan.so*|libtsan.so*) continue ;; esac
    path="$(ldconfig -p | awk -v l="$lib" '$1 == l && !p {p = $NF} END {print p}')"
    # usrmerge: dpkg may know the file under /usr/lib or /lib, and by its real name.
    pkg=""
    for p in "$path" "/usr$path" "${path#/usr}" "$(readlink -f "$path")"; do
      pkg="$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1 || true)"
      [ -n "$pkg" ] && break
    done
    if [ -z "$pkg" ]; then fail "no Debian package provides $lib"; continue; fi
    if ! grep -qx "$pkg" <<<"$runtime_pkgs"$'\n'"${base// /$'\n'}"; then
      fail "binary needs $lib from $pkg, which the runtime stage does not install"
    fi
  done < <(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  printf 'binary: %s bytes (%s bytes stripped)\n' "$(stat -c %s "$BIN")" \
    "$(strip -o "$TMP/stripped" "$BIN" && stat -c %s "$TMP/stripped")"
else
  note "no fleetfuel binary given: runtime library check skipped"
fi

if ((failures)); then
  echo "check-deploy: $failures check(s) failed" >&2
  exit 1
fi
echo "check-deploy: all deploy files pass"
