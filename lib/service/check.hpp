// fleetfuel check: proves from where it runs (inside the container) that the configuration, the
// database and the bucket are usable, one line per check with a hint when one fails. Read-only:
// it takes no lock and writes nothing; every check is bounded in time.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "s3/s3_client.hpp"

namespace ff::service {

enum class CheckStatus { ok, failed, skipped };

struct CheckResult {
    std::string name;  // "database", "schema", "latest.json", ...
    CheckStatus status = CheckStatus::ok;
    std::string detail;  // what was found, or what went wrong
    std::string hint;    // what to do about it (may be empty)
};

struct CheckOptions {
    std::optional<db::ConnectOptions> database;  // nullopt: not configured (skipped)
    std::optional<s3::S3Options> s3;             // nullopt: not configured or source_dir is used
    std::string source_dir;                      // FUEL_SOURCE_DIR: checked instead of S3
    std::string prefix = "fuel_records/";
    bool migrate_on_start = true;
    std::chrono::milliseconds timeout{10'000};  // each check; connect and S3 timeouts are capped
    std::size_t change_file_cap = 1000;         // change files counted at most
};

// Runs the database checks (database, schema, writer lock) and the object store checks (s3
// endpoint, tls, s3 credentials, bucket, latest.json, change files; or source dir, latest.json,
// change files), in that order, each on a fresh io_context. A check that gets no answer within
// `timeout` fails as timed out and the ones that need it are skipped.
std::vector<CheckResult> run_checks(const CheckOptions& options);

bool all_passed(const std::vector<CheckResult>& results);

// One line per check ("ok      database     PostgreSQL 15.4 at ..."), the hint indented below a
// failed one. Every registered secret is masked.
std::string render_text(const std::vector<CheckResult>& results);

// {"ok":false,"checks":[{"name":...,"status":"failed","detail":...,"hint":...}, ...]}
std::string render_json(const std::vector<CheckResult>& results);

}  // namespace ff::service
