// The table of every configuration variable; change a setting here and the docs follow.
#include "config/config_table.hpp"

#include <algorithm>

namespace ff::config {
namespace {

using C = Config;

constexpr std::string_view kObjectStoreUsers = "import and run, unless FUEL_SOURCE_DIR is set";

// Kept whole: the table itself, one entry per variable in the order the docs list them; there are
// no steps to name.
const std::vector<Variable>& table() {
    static const std::vector<Variable> kTable = {
        // Database
        {"DATABASE_URL", Type::postgres, &C::database_url, "Database", "",
         "PostgreSQL connection: a postgresql:// URL or key=value conninfo.",
         "postgresql://fleetfuel:change-me@db:5432/fleet",
         "migrate, import, run, rejects, requeue, reset-watermark, verify"},
        {"DB_CONNECT_TIMEOUT", Type::duration, &C::db_connect_timeout, "Database", "10s",
         "How long to wait for a database connection to open.", "3s"},
        {"DB_STATEMENT_TIMEOUT", Type::duration, &C::db_statement_timeout, "Database", "5m",
         "The session's statement_timeout: a single statement running longer is cancelled.", "10m"},
        {"DB_LOCK_TIMEOUT", Type::duration, &C::db_lock_timeout, "Database", "10s",
         "The lock_timeout for migrate's DDL, so a busy table fails the migration instead of "
         "queueing every reader behind it.",
         "2s"},
        {"WRITER_LOCK_WAIT", Type::duration, &C::writer_lock_wait, "Database", "30s",
         "How long a one-shot command waits for the writer lock held by another FleetFuel "
         "process before exiting 4.",
         "5s"},
        {"FUEL_MIGRATE_ON_START", Type::boolean, &C::migrate_on_start, "Database", "true",
         "The daemon's leader applies the migrations, and installs its normalisation rules with "
         "every stored row, when it takes the writer lock (a standby never migrates). With false, "
         "run `fleetfuel migrate` by hand: until then a daemon whose rules are not those in force "
         "does not write.",
         "false"},
        {"FUEL_READER_ROLE", Type::identifier, &C::reader_role, "Database", "",
         "An existing role that migrate grants SELECT on the reporting views (and fuel.plate). "
         "The analytics API reads as this role and needs it when FUEL_ANALYTICS is on (SET ROLE: "
         "DATABASE_URL's user must be a member of it). Unset grants nothing.",
         "fuel_reader"},

        // Object store
        {"RUSTFS_ENDPOINT", Type::url, &C::rustfs_endpoint, "Object store", "",
         "The S3-compatible server, http(s)://host[:port] with no path.",
         "https://s3.example.internal:9000", kObjectStoreUsers},
        {"RUSTFS_ACCESS_KEY", Type::string, &C::rustfs_access_key, "Object store", "",
         "S3 access key id.", "fleetfuel-reader", kObjectStoreUsers},
        {"RUSTFS_SECRET_KEY", Type::secret, &C::rustfs_secret_key, "Object store", "",
         "S3 secret key.", "change-me-too", kObjectStoreUsers},
        {"RUSTFS_REGION", Type::string, &C::rustfs_region, "Object store", "us-east-1",
         "Region used in request signatures; it must match the server's.", "eu-west-1"},
        {"FUEL_BUCKET", Type::string, &C::bucket, "Object store", "fuel",
         "Bucket holding the exports.", "fleet-exports"},
        {"FUEL_PREFIX", Type::prefix, &C::prefix, "Object store", "fuel_records/",
         "Key prefix of the exports: <prefix>latest.json and <prefix>changes/*.json.",
         "exports/fuel/"},
        {"FUEL_SOURCE_DIR", Type::directory, &C::source_dir, "Object store", "",
         "Read exports from this local directory (it stands for the bucket) instead of S3.",
         "/srv/fuel-exports"},
        {"RUSTFS_CA_FILE", Type::file, &C::ca_file, "Object store", "",
         "PEM bundle of the CAs to trust for https endpoints, instead of the system store: "
         "only they are trusted (pinning).",
         "/run/secrets/rustfs-ca.pem"},
        {"RUSTFS_INSECURE_SKIP_VERIFY", Type::boolean, &C::insecure_skip_verify, "Object store",
         "false", "Skip TLS certificate verification (logs a warning at start). For tests only.",
         "true"},
        {"S3_CONNECT_TIMEOUT", Type::duration, &C::s3_connect_timeout, "Object store", "5s",
         "Timeout for opening a TCP connection to the object store.", "2s"},
        {"S3_TLS_TIMEOUT", Type::duration, &C::s3_tls_timeout, "Object store", "5s",
         "Timeout for the TLS handshake.", "3s"},
        {"S3_READ_TIMEOUT", Type::duration, &C::s3_read_timeout, "Object store", "30s",
         "Longest silence while reading a response before the request fails.", "1m"},
        {"S3_MAX_ATTEMPTS",
         Type::integer,
         &C::s3_max_attempts,
         "Object store",
         "3",
         "Attempts per S3 request, the first included, before giving up.",
         "5",
         {},
         {},
         1,
         20},
        {"S3_BACKOFF_BASE", Type::duration, &C::s3_backoff_base, "Object store", "200ms",
         "First delay between S3 retries; it doubles on each attempt.", "500ms"},
        {"S3_BACKOFF_CAP", Type::duration, &C::s3_backoff_cap, "Object store", "20s",
         "Longest delay between S3 retries.", "1m"},
        {"MAX_OBJECT_BYTES", Type::bytes, &C::max_object_bytes, "Object store", "2GiB",
         "Largest export object FleetFuel will read; a bigger one fails cleanly.", "512MiB"},

        // Ingest
        {"SNAPSHOT_INTERVAL", Type::duration, &C::snapshot_interval, "Ingest", "1h",
         "How often `run` reconciles against the full snapshot (latest.json).", "2h"},
        {"CHANGES_INTERVAL", Type::duration, &C::changes_interval, "Ingest", "30s",
         "How often `run` polls for new change files.", "10s"},
        {"CHANGES_LOOKBACK",
         Type::duration,
         &C::changes_lookback,
         "Ingest",
         "",
         "Retired: no effect. Late change files are found however late they land (a full "
         "listing every SNAPSHOT_INTERVAL, every `import --changes`), so there is no window to "
         "size. Still accepted, with a warning, so existing configurations keep starting.",
         "24h",
         {},
         {},
         0,
         0,
         true},
        {"MAX_DELETE_FRACTION", Type::fraction, &C::max_delete_fraction, "Ingest", "0.10",
         "A snapshot that would soft-delete more than this share of live rows is refused "
         "(exit 3) unless --force.",
         "25%"},

        // Daemon
        {"HTTP_LISTEN", Type::listen, &C::http_listen, "Daemon", "0.0.0.0:8080",
         "Address of the /healthz, /readyz and /metrics server; `:8080` is the same as "
         "`0.0.0.0:8080`.",
         "127.0.0.1:9090"},
        {"SHUTDOWN_GRACE", Type::duration, &C::shutdown_grace, "Daemon", "8s",
         "On SIGTERM, how long the transaction in flight may take to finish; keep it below "
         "the container stop timeout (10s in Docker).",
         "5s"},
        {"CYCLE_TIMEOUT", Type::duration, &C::cycle_timeout, "Daemon", "30m",
         "A cycle running longer than this is wedged: /healthz turns 503 and the watchdog "
         "exits 70.",
         "1h"},
        {"WATCHDOG_TIMEOUT", Type::duration, &C::watchdog_timeout, "Daemon", "1m",
         "The event loop silent this long is wedged: the watchdog exits 70.", "2m"},

        // Read side
        {"FUEL_ANALYTICS", Type::boolean, &C::analytics, "Read side", "false",
         "Serve the read-only analytics API and page on HTTP_LISTEN (needs FUEL_READER_ROLE).",
         "on"},
        {"FUEL_ANALYTICS_TOKEN", Type::secret, &C::analytics_token, "Read side", "",
         "When set, the analytics endpoints require `Authorization: Bearer <token>`.",
         "a-long-random-token"},
        {"FUEL_ANALYTICS_TIMEOUT", Type::duration, &C::analytics_timeout, "Read side", "10s",
         "Longest time an analytics request may take, the wait for a database connection "
         "included; then it gets 504 and its statement is cancelled on the server. The CSV "
         "export has it for each batch of 1 000 fills, not for the whole download.",
         "5s"},
        {"FUEL_ANALYTICS_CONNECTIONS",
         Type::integer,
         &C::analytics_connections,
         "Read side",
         "2",
         "Database connections of the analytics API (statements running at once), apart from "
         "the ingest connection.",
         "4",
         {},
         {},
         1,
         32},
        {"FUEL_ANALYTICS_QUEUE",
         Type::integer,
         &C::analytics_queue,
         "Read side",
         "32",
         "Analytics requests that may wait for a connection; more at once get 503 with "
         "Retry-After.",
         "64",
         {},
         {},
         0,
         200},

        {"FUEL_ANALYTICS_CORS_ORIGINS", Type::origins, &C::analytics_cors_origins, "Read side", "",
         "Web pages that may call the analytics API from the browser (the FleetOps SPA): their "
         "origins, comma-separated. Other origins get no CORS headers. Unset: none.",
         "https://fleetops.example.com,http://localhost:5173"},

        // Logging
        {"LOG_LEVEL",
         Type::choice,
         &C::log_level,
         "Logging",
         "info",
         "Least severe level written to stderr; `warning` (as the log lines spell it) is the "
         "same as `warn`.",
         "debug",
         {},
         {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}},
        {"LOG_FORMAT",
         Type::choice,
         &C::log_format,
         "Logging",
         "text",
         "text for people, json for one JSON object per line.",
         "json",
         {},
         {"text", "json"}},
    };
    return kTable;
}

}  // namespace

std::span<const Variable> variables() {
    return table();
}

const Variable* find_variable(std::string_view name) {
    const auto& t = table();
    const auto it =
        std::find_if(t.begin(), t.end(), [&](const Variable& v) { return v.name == name; });
    return it == t.end() ? nullptr : &*it;
}

bool is_secret(const Variable& v) {
    return v.type == Type::secret || v.type == Type::postgres;
}

bool accepts_file(const Variable& v) {
    return is_secret(v);
}

std::string_view type_name(Type type) {
    switch (type) {
        case Type::string:
            return "string";
        case Type::secret:
            return "secret";
        case Type::postgres:
            return "secret (PostgreSQL URL)";
        case Type::url:
            return "URL";
        case Type::listen:
            return "host:port";
        case Type::duration:
            return "duration";
        case Type::boolean:
            return "boolean";
        case Type::fraction:
            return "fraction";
        case Type::integer:
            return "integer";
        case Type::bytes:
            return "size";
        case Type::choice:
            return "choice";
        case Type::identifier:
            return "role name";
        case Type::file:
            return "file path";
        case Type::directory:
            return "directory path";
        case Type::prefix:
            return "key prefix";
        case Type::origins:
            return "origins";
    }
    return "string";
}

}  // namespace ff::config
