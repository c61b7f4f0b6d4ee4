// The top-level command line: help, version, known commands, and usage errors.
#include "config/cli_args.hpp"

#include <catch2/catch.hpp>

using namespace ff::config;
using Action = CommandLine::Action;

TEST_CASE("help and version are recognised before any command", "[cli]") {
    CHECK(parse_command_line({"--help"}).action == Action::help);
    CHECK(parse_command_line({"-h"}).action == Action::help);
    CHECK(parse_command_line({"--version"}).action == Action::version);
    CHECK(parse_command_line({"-V"}).action == Action::version);
}

TEST_CASE("a command takes every argument after it, flags included", "[cli]") {
    const auto line = parse_command_line({"import", "--snapshot", "--apply", "--json"});
    CHECK(line.action == Action::command);
    CHECK(line.command == "import");
    CHECK(line.args == std::vector<std::string>{"--snapshot", "--apply", "--json"});
    CHECK(parse_command_line({"reset-watermark"}).args.empty());
}

TEST_CASE("no command, an unknown command or an unknown global option is a usage error", "[cli]") {
    CHECK_THROWS_AS(parse_command_line({}), UsageError);
    CHECK_THROWS_WITH(parse_command_line({"frobnicate"}),
                      "unknown command \"frobnicate\"; see fleetfuel --help");
    CHECK_THROWS_WITH(parse_command_line({"--verbose", "run"}),
                      "unknown option \"--verbose\"; see fleetfuel --help");
}

TEST_CASE("the help text lists every command", "[cli]") {
    const auto text = help_text("9.9.9");
    for (const auto& c : commands())
        CHECK(text.find("  " + std::string(c.name) + " ") != std::string::npos);
    CHECK(text.starts_with("fleetfuel 9.9.9"));
}

TEST_CASE("a command's --help needs no configuration", "[cli]") {
    CHECK(asks_for_help({"--snapshot", "--help"}));
    CHECK_FALSE(asks_for_help({"--snapshot"}));
}
