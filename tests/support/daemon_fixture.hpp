// Shared set-up of the daemon tests: a scratch database, an export directory or bucket, and the
// environment that points `fleetfuel run` at them with short intervals.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/daemon_harness.hpp"
#include "support/export_generator.hpp"

namespace fftest {

// A snapshot body with ids first..first+n-1.
std::string snapshot_body(long long first, int n, Ts exported_at = kBaseTime);
// A change file inserting `ids`.
std::string insert_changes(const std::vector<long long>& ids, Ts at = kBaseTime + 3600);

// The environment for a daemon reading `source_dir` (FUEL_SOURCE_DIR) into `database_url`.
Env local_env(const std::string& database_url, const std::filesystem::path& source_dir);

// Puts an object into a bucket on the test S3 server, creating the bucket first if asked.
void s3_put(const std::string& bucket, const std::string& key, const std::string& body,
            bool create = false);

}  // namespace fftest
