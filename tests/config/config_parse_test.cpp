// Parsing the whole environment into Config: defaults, errors, *_FILE secrets, requirements.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include "config/config.hpp"
#include "config/config_docs.hpp"
#include "config/config_table.hpp"
#include "core/secrets.hpp"
#include "support/test_env.hpp"

using namespace ff::config;
using namespace std::chrono_literals;

namespace {

std::string error_of(const Environment& env) {
    try {
        parse(env);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string temp_file(const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / fftest::unique_name("ff_secret_");
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

// Counts an aggregate's members, so a field added to Config without a table entry fails below.
struct AnyField {
    template <class T>
    operator T() const;
};
template <class T, class... A>
constexpr std::size_t field_count() {
    if constexpr (requires { T{A{}..., AnyField{}}; })
        return field_count<T, A..., AnyField>();
    else
        return sizeof...(A);
}

auto fields(const Config& c) {
    return std::tie(c.database_url, c.db_connect_timeout, c.db_statement_timeout, c.db_lock_timeout,
                    c.writer_lock_wait, c.migrate_on_start, c.reader_role, c.rustfs_endpoint,
                    c.rustfs_access_key, c.rustfs_secret_key, c.rustfs_region, c.bucket, c.prefix,
                    c.source_dir, c.ca_file, c.insecure_skip_verify, c.s3_connect_timeout,
                    c.s3_tls_timeout, c.s3_read_timeout, c.s3_max_attempts, c.s3_backoff_base,
                    c.s3_backoff_cap, c.max_object_bytes, c.snapshot_interval, c.changes_interval,
                    c.changes_lookback, c.max_delete_fraction, c.http_listen, c.shutdown_grace,
                    c.cycle_timeout, c.watchdog_timeout, c.analytics, c.analytics_token,
                    c.analytics_timeout, c.analytics_connections, c.analytics_queue,
                    c.analytics_cors_origins, c.log_level, c.log_format);
}
constexpr std::size_t kFields = std::tuple_size_v<decltype(fields(std::declval<Config>()))>;
static_assert(kFields == field_count<Config>(), "list every Config field in fields()");

template <std::size_t... I>
std::set<std::size_t> changed_fields(const Config& a, const Config& b, std::index_sequence<I...>) {
    std::set<std::size_t> out;
    const auto fa = fields(a), fb = fields(b);
    ((std::get<I>(fa) != std::get<I>(fb) ? void(out.insert(I)) : void()), ...);
    return out;
}

// A valid non-default value for `v`; paths must exist, so they point at real ones.
std::string sample_for(const Variable& v) {
    if (v.type == Type::directory) return std::filesystem::temp_directory_path().string();
    if (v.type == Type::file) return temp_file("-----BEGIN CERTIFICATE-----\n");
    return std::string(v.sample);
}

}  // namespace

TEST_CASE("an empty environment gives the documented defaults", "[config]") {
    CHECK(parse({}) == Config{});
}

TEST_CASE("each table default, written out, gives the same Config as leaving it unset",
          "[config]") {
    Environment env;
    for (const auto& v : variables())
        if (!v.default_value.empty()) env[std::string(v.name)] = std::string(v.default_value);
    CHECK(parse(env) == Config{});
}

TEST_CASE("every Config field is set by exactly one table entry", "[config]") {
    std::set<std::size_t> covered;
    for (const auto& v : variables()) {
        INFO(v.name);
        const Config cfg = parse({{std::string(v.name), sample_for(v)}});
        const auto changed = changed_fields(Config{}, cfg, std::make_index_sequence<kFields>{});
        CHECK(changed.size() == 1);
        for (auto i : changed) CHECK(covered.insert(i).second);
    }
    CHECK(covered.size() == kFields);
}

TEST_CASE("values written as the logs, Go servers and systemd write them are accepted",
          "[config]") {
    const auto cfg = parse({{"LOG_LEVEL", "warning"},
                            {"HTTP_LISTEN", ":8080"},
                            {"SNAPSHOT_INTERVAL", "1h30m"},
                            {"CHANGES_LOOKBACK", "36h30m"}});
    CHECK(cfg.log_level == "warning");
    CHECK(cfg.http_listen == "0.0.0.0:8080");  // spelled out for the server and the healthcheck
    CHECK(cfg.snapshot_interval == 90min);
    CHECK(cfg.changes_lookback == 36h + 30min);
    CHECK(parse({{"LOG_LEVEL", "WARN"}}).log_level == "warn");
}

TEST_CASE("an invalid value fails with one line naming the variable and what is wrong",
          "[config]") {
    CHECK(error_of({{"RUSTFS_ENDPOINT", "s3.example"}}) ==
          "RUSTFS_ENDPOINT: not a URL: \"s3.example\"");
    CHECK(error_of({{"LOG_FORMAT", "xml"}}) == "LOG_FORMAT: must be one of text, json: \"xml\"");
    CHECK(error_of({{"LOG_LEVEL", "verbose"}}) ==
          "LOG_LEVEL: must be one of trace, debug, info, warn, warning, error, critical, off: "
          "\"verbose\"");
    CHECK(error_of({{"HTTP_LISTEN", "8080"}}) == "HTTP_LISTEN: not host:port: \"8080\"");
    CHECK(error_of({{"MAX_DELETE_FRACTION", "150%"}}) ==
          "MAX_DELETE_FRACTION: must be between 0 and 1 (or 0% and 100%): \"150%\"");
    CHECK(error_of({{"SNAPSHOT_INTERVAL", "1d"}}) ==
          "SNAPSHOT_INTERVAL: unknown unit \"d\" in \"1d\" (use ms, s, m or h)");
    CHECK(
        error_of({{"FUEL_MIGRATE_ON_START", "maybe"}}) ==
        "FUEL_MIGRATE_ON_START: not a boolean: \"maybe\" (use true/false, 1/0, on/off or yes/no)");
    CHECK(error_of({{"S3_MAX_ATTEMPTS", "0"}}) ==
          "S3_MAX_ATTEMPTS: must be between 1 and 20: \"0\"");
    CHECK(error_of({{"FUEL_PREFIX", "/fuel_records/"}}) ==
          "FUEL_PREFIX: must not start with \"/\": \"/fuel_records/\"");
    CHECK(error_of({{"FUEL_SOURCE_DIR", "/nonexistent/ff"}}) ==
          "FUEL_SOURCE_DIR: \"/nonexistent/ff\": No such file or directory");
    CHECK(error_of({{"RUSTFS_CA_FILE", "/"}}) == "RUSTFS_CA_FILE: not a readable file: \"/\"");
}

TEST_CASE("values are trimmed, matched in any case, and an empty value means unset", "[config]") {
    const Config cfg = parse({{"CHANGES_INTERVAL", " 10s "},
                              {"LOG_FORMAT", "JSON"},
                              {"FUEL_ANALYTICS", "on"},
                              {"FUEL_BUCKET", ""},
                              {"MAX_DELETE_FRACTION", "10%"},
                              {"RUSTFS_ENDPOINT", "http://127.0.0.1:9000/"}});
    CHECK(cfg.changes_interval == 10s);
    CHECK(cfg.log_format == "json");
    CHECK(cfg.analytics);
    CHECK(cfg.bucket == "fuel");
    CHECK(cfg.max_delete_fraction == Approx(0.10));
    CHECK(cfg.rustfs_endpoint == "http://127.0.0.1:9000");
}

TEST_CASE("a malformed DATABASE_URL is reported without echoing it", "[config]") {
    const std::string err = error_of({{"DATABASE_URL", "fleetfuel:Hunter2-secret@db/fleet"}});
    CHECK(err.starts_with("DATABASE_URL: not a PostgreSQL URL"));
    CHECK(err.find("Hunter2") == std::string::npos);
}

TEST_CASE("secrets can come from *_FILE with one trailing newline removed", "[config]") {
    const Config cfg =
        parse({{"RUSTFS_SECRET_KEY_FILE", temp_file("file-secret-key\n")},
               {"DATABASE_URL_FILE", temp_file("postgresql://u:pw-from-file@h/d\r\n")},
               {"FUEL_ANALYTICS_TOKEN_FILE", temp_file("token-from-file\n\n")}});
    CHECK(cfg.rustfs_secret_key == "file-secret-key");
    CHECK(cfg.database_url == "postgresql://u:pw-from-file@h/d");
    CHECK(cfg.analytics_token == "token-from-file\n");
}

TEST_CASE("a secret set both directly and through *_FILE is an error", "[config]") {
    CHECK(error_of({{"RUSTFS_SECRET_KEY", "direct-secret"},
                    {"RUSTFS_SECRET_KEY_FILE", temp_file("file-secret\n")}}) ==
          "RUSTFS_SECRET_KEY: both RUSTFS_SECRET_KEY and RUSTFS_SECRET_KEY_FILE are set; use one");
}

TEST_CASE("an unreadable or empty secret file is named in the error", "[config]") {
    CHECK(error_of({{"DATABASE_URL_FILE", "/nonexistent/db-url"}}) ==
          "DATABASE_URL_FILE: cannot read \"/nonexistent/db-url\": No such file or directory");
    const auto empty = temp_file("\n");
    CHECK(error_of({{"FUEL_ANALYTICS_TOKEN_FILE", empty}}) ==
          "FUEL_ANALYTICS_TOKEN_FILE: file is empty: \"" + empty + "\"");
}

TEST_CASE("secret values and the database password are registered for scrubbing", "[config]") {
    parse({{"DATABASE_URL", "postgresql://fleet:Pa%40ss-w0rd-77@db:5432/fleet"},
           {"RUSTFS_SECRET_KEY", "registered-secret-key-1"},
           {"FUEL_ANALYTICS_TOKEN", "registered-token-2"}});
    CHECK(ff::secrets::scrub("key registered-secret-key-1 token registered-token-2") ==
          "key *** token ***");
    CHECK(ff::secrets::scrub("raw Pa%40ss-w0rd-77 decoded Pa@ss-w0rd-77") == "raw *** decoded ***");

    parse({{"DATABASE_URL", "host=db user=fleet password='kw pass\\'word' dbname=fleet"}});
    CHECK(ff::secrets::scrub("it was kw pass'word") == "it was ***");
}

TEST_CASE("the database is required only when asked for", "[config]") {
    REQUIRE_NOTHROW(parse({}));
    try {
        require_database(parse({}));
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) ==
              "DATABASE_URL: not set (set DATABASE_URL or DATABASE_URL_FILE)");
        CHECK(e.variable() == "DATABASE_URL");
    }
    CHECK_NOTHROW(require_database(parse({{"DATABASE_URL", "postgresql://h/d"}})));
}

TEST_CASE("the object store is required unless a source directory is set", "[config]") {
    const Environment full = {{"RUSTFS_ENDPOINT", "http://h:9000"},
                              {"RUSTFS_ACCESS_KEY", "ak"},
                              {"RUSTFS_SECRET_KEY", "sk-secret"}};
    CHECK_NOTHROW(require_object_store(parse(full)));
    for (const auto& [name, value] : full) {
        auto partial = full;
        partial.erase(name);
        CHECK_THROWS_WITH(require_object_store(parse(partial)),
                          Catch::StartsWith(name + ": not set"));
    }
    const auto tmp = std::filesystem::temp_directory_path().string();
    CHECK_NOTHROW(require_object_store(parse({{"FUEL_SOURCE_DIR", tmp}})));
}

TEST_CASE("unknown FUEL_ variables are warned about, with the likely intended name", "[config]") {
    const auto lines = warnings({{"FUEL_BUKET", "x"},
                                 {"FUEL_ANALYTICS_TOKEN_FILE", "/run/secrets/t"},
                                 {"FUEL_BUCKET_FILE", "/x"},
                                 {"FUEL_COMPLETELY_DIFFERENT", "1"},
                                 {"PATH", "/bin"},
                                 {"RUSTFS_ROOT_USER", "admin"}});
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] ==
          "FUEL_BUCKET_FILE is not a FleetFuel variable and is ignored; only secrets "
          "can be read from a file");
    CHECK(lines[1] ==
          "FUEL_BUKET is not a FleetFuel variable and is ignored; did you mean "
          "FUEL_BUCKET?");
    CHECK(lines[2] == "FUEL_COMPLETELY_DIFFERENT is not a FleetFuel variable and is ignored");
}

TEST_CASE("a retired variable is still accepted, with a warning, and left out of the env example",
          "[config]") {
    const auto cfg = parse({{"CHANGES_LOOKBACK", "48h"}});  // an existing deployment's setting
    CHECK(cfg.changes_lookback == std::chrono::hours(48));
    const auto lines = warnings({{"CHANGES_LOOKBACK", "48h"}});
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] ==
          "CHANGES_LOOKBACK is retired and has no effect; remove it (docs/configuration.md)");
    CHECK(warnings({{"CHANGES_LOOKBACK", ""}}).empty());
    CHECK(render_env_example().find("CHANGES_LOOKBACK") == std::string::npos);
    CHECK(
        render_markdown().find("| `CHANGES_LOOKBACK` | duration | (unset) | Retired: no effect.") !=
        std::string::npos);
}

TEST_CASE("the analytics API needs FUEL_READER_ROLE: it never reads as the writer", "[config]") {
    const Config on = parse({{"FUEL_ANALYTICS", "on"}});
    try {
        require_analytics(on);
        FAIL("FUEL_ANALYTICS=on without FUEL_READER_ROLE was accepted");
    } catch (const ConfigError& e) {
        CHECK(e.variable() == "FUEL_READER_ROLE");
    }
    CHECK_NOTHROW(require_analytics(parse({{"FUEL_ANALYTICS", "on"}, {"FUEL_READER_ROLE", "r"}})));
    CHECK_NOTHROW(require_analytics(parse({})));
}
