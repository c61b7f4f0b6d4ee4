// Hand-written parser for the top-level command line; each subcommand parses its own flags.
#include "config/cli_args.hpp"

#include <algorithm>

namespace ff::config {
namespace {

constexpr CommandInfo kCommands[] = {
    {"migrate", "create or upgrade the fuel schema, then exit", true},
    {"import", "one-shot import: --snapshot and/or --changes; a dry run without --apply", true},
    {"run", "the daemon: snapshot and change cycles, /healthz, /readyz and /metrics", true},
    {"healthcheck", "GET the local /healthz; exit 0 when healthy, 1 otherwise", false},
    {"config", "print the effective configuration; --env-example or --markdown for docs", false},
    {"rejects", "list quarantined files and rejected rows", true},
    {"requeue", "re-queue a quarantined change file (dry run without --apply)", true},
    {"reset-watermark", "move a stream's watermark (dry run without --apply)", true},
};

}  // namespace

std::span<const CommandInfo> commands() {
    return kCommands;
}

const CommandInfo* find_command(std::string_view name) {
    const auto* it = std::find_if(std::begin(kCommands), std::end(kCommands),
                                  [&](const CommandInfo& c) { return c.name == name; });
    return it == std::end(kCommands) ? nullptr : it;
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
    CommandLine line;
    if (args.empty()) throw UsageError("no command given; see fleetfuel --help");
    const std::string& first = args.front();
    if (first == "--help" || first == "-h" || first == "help") {
        line.action = CommandLine::Action::help;
        return line;
    }
    if (first == "--version" || first == "-V" || first == "version") {
        line.action = CommandLine::Action::version;
        return line;
    }
    if (first.starts_with('-'))
        throw UsageError("unknown option \"" + first + "\"; see fleetfuel --help");
    if (find_command(first) == nullptr)
        throw UsageError("unknown command \"" + first + "\"; see fleetfuel --help");
    line.action = CommandLine::Action::command;
    line.command = first;
    line.args.assign(args.begin() + 1, args.end());
    return line;
}

bool asks_for_help(const std::vector<std::string>& args) {
    return std::any_of(args.begin(), args.end(),
                       [](const std::string& a) { return a == "--help" || a == "-h"; });
}

std::string help_text(std::string_view version) {
    std::string out =
        "fleetfuel " + std::string(version) +
        ": carries fuel-fill exports from an S3-compatible bucket into PostgreSQL.\n\n"
        "Usage: fleetfuel <command> [options]\n"
        "       fleetfuel --help | --version\n\n"
        "Commands:\n";
    for (const auto& c : kCommands) {
        std::string name(c.name);
        name.resize(17, ' ');
        out += "  " + name + std::string(c.summary) + "\n";
    }
    out +=
        "\nEach command takes its own options (fleetfuel <command> --help).\n"
        "Settings come from environment variables and a .env file in the working directory;\n"
        "`fleetfuel config --markdown` lists them all.\n\n"
        "Exit codes: 0 done, 1 failed, 2 usage or configuration error, 3 refused by a safety\n"
        "guard, 4 another FleetFuel process holds the writer lock, 70 self-watchdog.\n"
        "Machine-readable output (--json) goes to stdout, logs to stderr.\n";
    return out;
}

}  // namespace ff::config
