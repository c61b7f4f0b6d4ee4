// The top-level command line: global flags, the subcommand and its remaining arguments.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ff::config {

struct CommandInfo {
    std::string_view name;
    std::string_view summary;  // one line for --help
    bool needs_database;       // DATABASE_URL is checked before the command starts
};

// Every subcommand, in --help order.
std::span<const CommandInfo> commands();
const CommandInfo* find_command(std::string_view name);

struct CommandLine {
    enum class Action { help, version, command };
    Action action = Action::help;
    std::string command;            // Action::command
    std::vector<std::string> args;  // the arguments after the command, for it to parse
};

// Bad usage; what() is one line for stderr. Exit code 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Parses the arguments after the program name. Global flags go before the command; everything
// after the command is its own.
CommandLine parse_command_line(const std::vector<std::string>& args);

// True when a command's own arguments ask for its help, so no configuration is required.
bool asks_for_help(const std::vector<std::string>& args);

std::string help_text(std::string_view version);

}  // namespace ff::config
