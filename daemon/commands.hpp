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

}  // namespace ff::cmd
