// The command line against the command table; help texts and docs/commands.md from the table.
#include "config/cli_args.hpp"

#include <algorithm>

namespace ff::config {

namespace {

constexpr std::string_view kExitCodes =
    "Exit codes: 0 done, 1 failed, 2 usage or configuration error, 3 refused by a safety\n"
    "guard, 4 another FleetFuel process holds the writer lock, 70 self-watchdog.\n";

bool is_help_flag(const std::string& arg) {
    return arg == "--help" || arg == "-h";
}

}  // namespace

const CommandSpec* find_command(std::span<const CommandSpec> table, std::string_view name) {
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const CommandSpec& c) { return c.name == name; });
    return it == table.end() ? nullptr : &*it;
}

CommandLine parse_command_line(std::span<const CommandSpec> table, const Args& args) {
    CommandLine line;
    if (args.empty()) throw UsageError("no command given; see fleetfuel --help");
    const std::string& first = args.front();
    if (is_help_flag(first)) return line;
    // `fleetfuel help <command>` is `fleetfuel <command> --help`.
    if (first == "help" && args.size() > 1 && !args[1].starts_with('-')) {
        line.command = find_command(table, args[1]);
        if (line.command == nullptr)
            throw UsageError("unknown command \"" + args[1] + "\"; see fleetfuel --help");
        line.action = CommandLine::Action::command_help;
        return line;
    }
    if (first == "--version" || first == "-V" || first == "version") {
        line.action = CommandLine::Action::version;
        return line;
    }
    if (first.starts_with('-'))
        throw UsageError("unknown option \"" + first + "\"; see fleetfuel --help");
    line.command = find_command(table, first);
    if (line.command == nullptr)
        throw UsageError("unknown command \"" + first + "\"; see fleetfuel --help");
    line.args.assign(args.begin() + 1, args.end());
    line.action = std::any_of(line.args.begin(), line.args.end(), is_help_flag)
                      ? CommandLine::Action::command_help
                      : CommandLine::Action::command;
    return line;
}

std::string help_text(std::span<const CommandSpec> table, std::string_view version) {
    std::string out =
        "fleetfuel " + std::string(version) +
        ": carries fuel-fill exports from an S3-compatible bucket into PostgreSQL.\n\n"
        "Usage: fleetfuel <command> [options]\n"
        "       fleetfuel <command> --help | fleetfuel --help | --version\n\n"
        "Commands:\n";
    for (const auto& c : table) {
        std::string name(c.name);
        name.resize(17, ' ');
        out += "  " + name + std::string(c.summary) + "\n";
    }
    out +=
        "\nSettings come from environment variables and a .env file in the working directory;\n"
        "`fleetfuel config --markdown` lists them all.\n\n";
    out += kExitCodes;
    out += "Machine-readable output (--json) goes to stdout, logs to stderr.\n";
    return out;
}

std::string command_help(const CommandSpec& command) {
    return "Usage: fleetfuel " + std::string(command.usage) + "\n\n" +
           std::string(command.summary) + ".\n\n" + std::string(command.help);
}

std::string commands_markdown(std::span<const CommandSpec> table) {
    std::string out =
        "# Commands\n\n"
        "Generated from the command table (`daemon/commands.cpp`) by `fleetfuel help --markdown`;\n"
        "a test fails when this file and the binary disagree. `fleetfuel <command> --help` prints\n"
        "the same text.\n\n";
    out += kExitCodes;
    for (const auto& c : table) {
        out += "\n## " + std::string(c.name) + "\n\n";
        out += "```\nfleetfuel " + std::string(c.usage) + "\n```\n\n";
        out += std::string(c.summary) + ".\n\n";
        out += "```\n" + std::string(c.help) + "```\n";
    }
    return out;
}

std::string usage_message(const CommandSpec& command, std::string_view message) {
    return "fleetfuel " + std::string(command.name) + ": " + std::string(message) +
           "\nusage: fleetfuel " + std::string(command.usage) + " (see --help)\n";
}

}  // namespace ff::config
