// The command line: the table every command is declared in (name, handler, usage and help text),
// which the dispatcher, `--help` and docs/commands.md all read; the global flags and the command.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace ff::config {

using Args = std::vector<std::string>;  // the arguments after the command's name

struct CommandSpec {
    std::string_view name;
    std::string_view summary;    // one line, for `fleetfuel --help`
    std::string_view usage;      // the synopsis after "fleetfuel "
    std::string_view help;       // what it does, its options and exit codes, for `<command> --help`
    bool needs_database = true;  // DATABASE_URL must be set before it starts
    bool reads_config = true;    // false: the command reads the environment itself (`config`)
    // Returns the process exit code (core/exit_codes.hpp).
    int (*handler)(const Config& cfg, const Args& args) = nullptr;
};

struct CommandLine {
    enum class Action { help, version, command, command_help };
    Action action = Action::help;
    const CommandSpec* command = nullptr;  // Action::command and Action::command_help
    Args args;                             // the arguments after the command, for it to parse
};

// Bad usage; what() is one line for stderr. Exit code 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

const CommandSpec* find_command(std::span<const CommandSpec> table, std::string_view name);

// Parses the arguments after the program name against `table`. Global flags go before the
// command; everything after the command is its own, except --help or -h anywhere after it, which
// asks for the command's help (nothing is run, so no configuration is needed).
CommandLine parse_command_line(std::span<const CommandSpec> table, const Args& args);

// `fleetfuel --help`: every command with its summary, the exit codes.
std::string help_text(std::span<const CommandSpec> table, std::string_view version);
// `fleetfuel <command> --help`: the usage line and the command's help.
std::string command_help(const CommandSpec& command);
// docs/commands.md: every command's usage and help.
std::string commands_markdown(std::span<const CommandSpec> table);
// A usage error of `command`: the message, then its usage line.
std::string usage_message(const CommandSpec& command, std::string_view message);

}  // namespace ff::config
