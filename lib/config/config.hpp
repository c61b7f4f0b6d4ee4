// FleetFuel's configuration: every setting, typed and validated, read from the environment.
// The table of variables (name, type, default, description) lives in config_table.cpp; this
// header is the typed result that the rest of the program reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ff::config {

using Millis = std::chrono::milliseconds;

struct Config {
    // Database
    std::string database_url;  // secret: contains the password
    Millis db_connect_timeout{10'000};
    Millis db_statement_timeout{300'000};
    Millis db_lock_timeout{10'000};   // DDL in migrate
    Millis writer_lock_wait{30'000};  // one-shot commands wait this long for the writer lock
    bool migrate_on_start = true;
    std::string reader_role;  // FUEL_READER_ROLE, optional

    // Object store
    std::string rustfs_endpoint;  // http(s)://host[:port], no path
    std::string rustfs_access_key;
    std::string rustfs_secret_key;  // secret
    std::string rustfs_region = "us-east-1";
    std::string bucket = "fuel";
    std::string prefix = "fuel_records/";
    std::string source_dir;             // FUEL_SOURCE_DIR: read a local directory instead of S3
    std::string ca_file;                // RUSTFS_CA_FILE
    bool insecure_skip_verify = false;  // RUSTFS_INSECURE_SKIP_VERIFY
    Millis s3_connect_timeout{5'000};
    Millis s3_tls_timeout{5'000};
    Millis s3_read_timeout{30'000};
    int s3_max_attempts = 3;
    Millis s3_backoff_base{200};
    Millis s3_backoff_cap{20'000};
    std::uint64_t max_object_bytes = 2ull << 30;  // 2 GiB

    // Ingest
    Millis snapshot_interval{3'600'000};
    Millis changes_interval{30'000};
    Millis changes_lookback{};  // CHANGES_LOOKBACK: retired, accepted and ignored
    double max_delete_fraction = 0.10;

    // Daemon
    std::string http_listen = "0.0.0.0:8080";
    Millis shutdown_grace{8'000};
    Millis cycle_timeout{1'800'000};  // a cycle running longer than this is wedged
    Millis watchdog_timeout{60'000};  // the event loop silent this long is wedged

    // Read side
    bool analytics = false;
    std::string analytics_token;  // secret
    Millis analytics_timeout{10'000};
    int analytics_connections = 2;
    int analytics_queue = 32;
    std::string
        analytics_cors_origins;  // canonical: origins as browsers send them, comma-separated

    // Logging
    std::string log_level = "info";
    std::string log_format = "text";  // text | json

    bool operator==(const Config&) const = default;
};

// A configuration error: `variable` names the setting, what() is one line for the operator,
// e.g. `RUSTFS_ENDPOINT: not a URL: "s3.example"`.
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string variable, const std::string& message)
        : std::runtime_error(variable + ": " + message), variable_(std::move(variable)) {}
    const std::string& variable() const { return variable_; }

  private:
    std::string variable_;
};

using Environment = std::map<std::string, std::string>;

// The process environment merged over a `.env` file in the working directory (the real
// environment wins). Missing `.env` is fine; a malformed one is a ConfigError.
Environment load_environment(const std::string& dotenv_path = ".env");

// Parses and validates every variable; throws ConfigError on the first problem.
// `*_FILE` variants (RUSTFS_SECRET_KEY_FILE, DATABASE_URL_FILE, FUEL_ANALYTICS_TOKEN_FILE) are read
// here. Secret values are registered with ff::secrets so they never reach a log line.
Config parse(const Environment& env);

// Which variables are required depends on the command; each throws ConfigError naming the first
// missing variable. The object store is required unless source_dir is set.
void require_database(const Config& cfg);
void require_object_store(const Config& cfg);
// With FUEL_ANALYTICS on, FUEL_READER_ROLE: the analytics API never reads as the writer.
void require_analytics(const Config& cfg);

// One line per variable in `env` that starts with FUEL_ but is not FleetFuel's (likely a typo),
// for the caller to log as warnings once logging is up.
std::vector<std::string> warnings(const Environment& env);

}  // namespace ff::config
