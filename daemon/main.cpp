// fleetfuel: parse the command line against the command table, read and validate configuration,
// start logging, dispatch.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "config/cli_args.hpp"
#include "config/config.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "core/secrets.hpp"
#include "db/rules.hpp"

namespace {

// Configuration errors go to stderr as one plain line: logging may not be set up yet, and the
// operator must see the variable's name first.
int config_error(const ff::config::ConfigError& e) {
    std::cerr << ff::secrets::scrub(e.what()) << std::endl;
    return ff::kExitUsage;
}

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    // glibc raises its mmap threshold to the size of the largest block freed so far (a batch's
    // COPY text, megabytes), after which such blocks come from the heap and fragment it: RSS then
    // grows with the number of batches, not their size. A fixed threshold keeps them mmapped.
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    namespace config = ff::config;
    const auto table = ff::cmd::command_table();
    config::CommandLine line;
    try {
        line = config::parse_command_line(table, std::vector<std::string>(argv + 1, argv + argc));
    } catch (const config::UsageError& e) {
        std::cerr << "fleetfuel: " << e.what() << std::endl;
        return ff::kExitUsage;
    }
    switch (line.action) {
        case config::CommandLine::Action::help:
            std::cout << config::help_text(table, FF_VERSION);
            return ff::kExitOk;
        case config::CommandLine::Action::version:
            std::cout << "fleetfuel " << FF_VERSION << " (normalisation rules "
                      << ff::db::to_string(ff::db::build_rules()) << ")\n";
            return ff::kExitOk;
        case config::CommandLine::Action::command_help:
            // Nothing runs: no configuration is read, nothing is connected to.
            std::cout << config::command_help(*line.command);
            return ff::kExitOk;
        case config::CommandLine::Action::command:
            break;
    }
    const config::CommandSpec& command = *line.command;
    if (!command.reads_config) return command.handler(config::Config{}, line.args);

    config::Environment env;
    config::Config cfg;
    try {
        env = config::load_environment();
        cfg = config::parse(env);
        if (command.needs_database) config::require_database(cfg);
    } catch (const config::ConfigError& e) {
        return config_error(e);
    }

    ff::log::init(cfg.log_level,
                  cfg.log_format == "json" ? ff::log::Format::json : ff::log::Format::text);
    for (const auto& warning : config::warnings(env)) spdlog::warn("{}", warning);

    try {
        return command.handler(cfg, line.args);
    } catch (const config::ConfigError& e) {
        return config_error(e);
    } catch (const std::exception& e) {
        spdlog::error("{}: {}", command.name, one_line(e.what()));
        return ff::kExitFailed;
    } catch (...) {
        spdlog::error("{}: unknown exception", command.name);
        return ff::kExitFailed;
    }
}
