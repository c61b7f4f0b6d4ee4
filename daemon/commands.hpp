// The fleetfuel commands: the table main.cpp dispatches through (commands.cpp) and the handlers.
#pragma once

#include <span>

#include "config/cli_args.hpp"
#include "config/config.hpp"

namespace ff::cmd {

using config::Args;

// Every command, in `fleetfuel --help` order.
std::span<const config::CommandSpec> command_table();

// A usage error of the command `name` on stderr (the message, then its usage line); returns the
// exit code 2.
int usage_error(std::string_view name, std::string_view message);

// The handlers, each returning a process exit code (lib/core/exit_codes.hpp).
int migrate(const config::Config& cfg, const Args& args);
int import(const config::Config& cfg, const Args& args);
int run(const config::Config& cfg, const Args& args);
int healthcheck(const config::Config& cfg, const Args& args);
int check(const config::Config& cfg, const Args& args);
int config_command(const config::Config& cfg, const Args& args);
int help(const config::Config& cfg, const Args& args);
// Operator commands (cmd_operator.cpp).
int rejects(const config::Config& cfg, const Args& args);
int requeue(const config::Config& cfg, const Args& args);
int reset_watermark(const config::Config& cfg, const Args& args);
int verify(const config::Config& cfg, const Args& args);

}  // namespace ff::cmd
