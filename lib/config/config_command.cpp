// `fleetfuel config`: lives in lib/config because it needs nothing but the table.
#include "config/config_command.hpp"

#include "config/config_docs.hpp"
#include "core/exit_codes.hpp"
#include "core/secrets.hpp"

namespace ff::config {
namespace {

constexpr const char* kSeeHelp = "; see fleetfuel config --help\n";

}  // namespace

int config_command(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
                   std::ostream& err) {
    if (args.size() > 1) {
        err << "fleetfuel config: takes at most one option" << kSeeHelp;
        return kExitUsage;
    }
    const std::string option = args.empty() ? "" : args.front();
    if (option == "--env-example") {
        out << render_env_example();
        return kExitOk;
    }
    if (option == "--markdown") {
        out << render_markdown();
        return kExitOk;
    }
    if (!option.empty()) {
        err << "fleetfuel config: unknown option \"" << option << "\"" << kSeeHelp;
        return kExitUsage;
    }
    try {
        const Config cfg = parse(env);
        for (const auto& line : warnings(env)) err << "warning: " << line << "\n";
        out << render_effective(cfg);
        return kExitOk;
    } catch (const ConfigError& e) {
        err << secrets::scrub(e.what()) << "\n";
        return kExitUsage;
    }
}

}  // namespace ff::config
