// fleetfuel check: reads the configuration itself (a bad one is a failed check, not exit 2),
// maps it onto the checks of lib/service/check and prints their results.
#include <iostream>

#include "commands.hpp"
#include "config/config_table.hpp"
#include "config/value_parsers.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "core/secrets.hpp"
#include "options.hpp"
#include "service/check.hpp"

namespace ff::cmd {
namespace {

using service::CheckResult;
using service::CheckStatus;

struct CheckArgs {
    bool json = false;
    std::chrono::milliseconds timeout{10'000};
};

// The configuration as a check of its own; fills `options` with what it allows to be checked.
CheckResult configuration(service::CheckOptions& options, config::Config& cfg) {
    config::Environment env;
    try {
        env = config::load_environment();
        cfg = config::parse(env);
    } catch (const config::ConfigError& e) {
        return {"config", CheckStatus::failed, e.what(),
                "fix the variable (docs/configuration.md); nothing else can be checked"};
    }
    int set = 0;
    for (const auto& [name, value] : env)
        if (!value.empty() && config::find_variable(name)) ++set;
    std::string missing, hint;
    try {
        config::require_database(cfg);
        options.database = connect_options(cfg);
    } catch (const config::ConfigError& e) {
        missing = e.what();
    }
    try {
        config::require_object_store(cfg);
        if (cfg.source_dir.empty()) options.s3 = s3_options(cfg);
    } catch (const config::ConfigError& e) {
        missing += (missing.empty() ? "" : "; ") + std::string(e.what());
    }
    options.source_dir = cfg.source_dir;
    options.prefix = cfg.prefix;
    options.migrate_on_start = cfg.migrate_on_start;
    for (const auto& warning : config::warnings(env)) hint += (hint.empty() ? "" : "; ") + warning;
    if (!missing.empty()) return {"config", CheckStatus::failed, missing, hint};
    return {"config", CheckStatus::ok,
            std::to_string(set) +
                " FleetFuel variables set (environment and .env), the rest "
                "at their defaults",
            hint};
}

}  // namespace

int check(const config::Config&, const Args& args) {
    CheckArgs parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") {
            parsed.json = true;
        } else if (args[i] == "--timeout" && i + 1 < args.size()) {
            try {
                parsed.timeout = config::parse_duration(args[++i]);
            } catch (const std::invalid_argument& e) {
                return usage_error("check", std::string("--timeout: ") + e.what());
            }
        } else {
            return usage_error("check", "unknown argument \"" + args[i] + "\"");
        }
    }
    service::CheckOptions options;
    options.timeout = parsed.timeout;
    config::Config cfg;
    std::vector<CheckResult> results{configuration(options, cfg)};
    // Library warnings (an insecure TLS setting, say) go to stderr; the verdict to stdout.
    ff::log::init(cfg.log_level == "info" ? "warn" : cfg.log_level,
                  cfg.log_format == "json" ? ff::log::Format::json : ff::log::Format::text);
    if (results.front().status == CheckStatus::failed && !options.database && !options.s3 &&
        options.source_dir.empty()) {
        results.push_back({"database", CheckStatus::skipped, "needs a valid configuration", {}});
        results.push_back(
            {"object store", CheckStatus::skipped, "needs a valid configuration", {}});
    } else {
        for (auto& r : service::run_checks(options)) results.push_back(std::move(r));
    }
    std::cout << (parsed.json ? service::render_json(results) : service::render_text(results))
              << std::flush;
    return service::all_passed(results) ? kExitOk : kExitFailed;
}

}  // namespace ff::cmd
