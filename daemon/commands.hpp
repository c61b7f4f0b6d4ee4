// The fleetfuel subcommands; main.cpp parses the command line and dispatches here.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace ff::cmd {

using Args = std::vector<std::string>;  // the arguments after the subcommand name

// Each returns a process exit code (lib/core/exit_codes.hpp).
int migrate(const config::Config& cfg, const Args& args);
int import(const config::Config& cfg, const Args& args);
int run(const config::Config& cfg, const Args& args);
int healthcheck(const config::Config& cfg, const Args& args);

// Operator commands (cmd_operator.cpp): list quarantined files and rejected rows, re-queue a
// quarantined change file, reset a stream's watermark. The last two are dry runs without --apply.
int rejects(const config::Config& cfg, const Args& args);
int requeue(const config::Config& cfg, const Args& args);
int reset_watermark(const config::Config& cfg, const Args& args);

}  // namespace ff::cmd
