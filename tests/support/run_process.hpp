// Runs the fleetfuel binary with a controlled environment and working directory, capturing output.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace fftest {

// Runs fleetfuel with exactly `env` (plus PATH and sanitizer options) in `cwd`, or in a fresh
// empty directory when `cwd` is empty, so no stray .env is read. `binary`: another build of
// fleetfuel (tests/rules), or empty for the one under test.
ProcessResult run_fleetfuel(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env = {},
                            const std::string& cwd = "", const std::string& binary = "");

// "import --changes --apply" as {"import", "--changes", "--apply"}: split at spaces only, for
// tests whose arguments hold none.
std::vector<std::string> words(const std::string& line);

// A fresh empty directory under the system temp dir.
std::string make_temp_dir();

// Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);

// The whole content of the file at `path` (fails the test when it cannot be read).
std::string read_file(const std::string& path);

// A TCP port on 127.0.0.1 with nothing listening on it.
int closed_port();

}  // namespace fftest
