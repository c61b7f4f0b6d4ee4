// fleetfuel: parse the command line, read and validate configuration, start logging, dispatch.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <string_view>

#include "commands.hpp"
#include "config/cli_args.hpp"
#include "config/config.hpp"
#include "config/config_command.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "core/secrets.hpp"

namespace {

using Command = int (*)(const ff::config::Config&, const ff::cmd::Args&);

Command command_function(std::string_view name) {
    if (name == "migrate") return ff::cmd::migrate;
    if (name == "import") return ff::cmd::import;
    if (name == "run") return ff::cmd::run;
    if (name == "healthcheck") return ff::cmd::healthcheck;
    if (name == "rejects") return ff::cmd::rejects;
    if (name == "requeue") return ff::cmd::requeue;
    if (name == "reset-watermark") return ff::cmd::reset_watermark;
    return nullptr;
}

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
    config::CommandLine line;
    try {
        line = config::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const config::UsageError& e) {
        std::cerr << "fleetfuel: " << e.what() << std::endl;
        return ff::kExitUsage;
    }
    if (line.action == config::CommandLine::Action::help) {
        std::cout << config::help_text(FF_VERSION);
        return ff::kExitOk;
    }
    if (line.action == config::CommandLine::Action::version) {
        std::cout << "fleetfuel " << FF_VERSION << "\n";
        return ff::kExitOk;
    }

    config::Environment env;
    config::Config cfg;
    try {
        env = config::load_environment();
        // `config` prints the docs whatever the environment holds, and reports its own errors.
        if (line.command == "config")
            return config::config_command(line.args, env, std::cout, std::cerr);
        cfg = config::parse(env);
        if (config::find_command(line.command)->needs_database && !config::asks_for_help(line.args))
            config::require_database(cfg);
    } catch (const config::ConfigError& e) {
        return config_error(e);
    }

    ff::log::init(cfg.log_level,
                  cfg.log_format == "json" ? ff::log::Format::json : ff::log::Format::text);
    for (const auto& warning : config::warnings(env)) spdlog::warn("{}", warning);

    try {
        return command_function(line.command)(cfg, line.args);
    } catch (const config::ConfigError& e) {
        return config_error(e);
    } catch (const std::exception& e) {
        spdlog::error("{}: {}", line.command, one_line(e.what()));
        return ff::kExitFailed;
    } catch (...) {
        spdlog::error("{}: unknown exception", line.command);
        return ff::kExitFailed;
    }
}
