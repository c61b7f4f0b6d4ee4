// The command line against a command table: help, version, a command's help, usage errors.
#include "config/cli_args.hpp"

#include <catch2/catch.hpp>

using namespace ff::config;
using Action = CommandLine::Action;

namespace {

int never(const Config&, const Args&) {
    return 99;
}

const CommandSpec kTable[] = {
    {"import", "one-shot import", "import --snapshot|--changes [--apply]", "  --apply  commit\n",
     true, true, never},
    {"reset-watermark", "move the watermark", "reset-watermark [--to KEY]", "  --to KEY\n", true,
     true, never},
    {"help", "print help", "help [COMMAND]", "  COMMAND\n", false, false, never},
};

}  // namespace

TEST_CASE("help and version are recognised before any command", "[cli]") {
    CHECK(parse_command_line(kTable, {"--help"}).action == Action::help);
    CHECK(parse_command_line(kTable, {"-h"}).action == Action::help);
    CHECK(parse_command_line(kTable, {"--version"}).action == Action::version);
    CHECK(parse_command_line(kTable, {"-V"}).action == Action::version);
}

TEST_CASE("a command takes every argument after it, flags included", "[cli]") {
    const auto line = parse_command_line(kTable, {"import", "--snapshot", "--apply", "--json"});
    CHECK(line.action == Action::command);
    REQUIRE(line.command != nullptr);
    CHECK(line.command->name == "import");
    CHECK(line.args == std::vector<std::string>{"--snapshot", "--apply", "--json"});
    CHECK(parse_command_line(kTable, {"reset-watermark"}).args.empty());
}

TEST_CASE("a command followed anywhere by --help or -h asks for that command's help", "[cli]") {
    for (const auto* flag : {"--help", "-h"}) {
        const auto line = parse_command_line(kTable, {"import", "--snapshot", flag});
        CHECK(line.action == Action::command_help);
        REQUIRE(line.command != nullptr);
        CHECK(line.command->name == "import");
    }
    const auto line = parse_command_line(kTable, {"help", "reset-watermark"});
    CHECK(line.action == Action::command_help);
    CHECK(line.command->name == "reset-watermark");
    // The help command's own options are its arguments.
    CHECK(parse_command_line(kTable, {"help", "--markdown"}).action == Action::command);
}

TEST_CASE("no command, an unknown command or an unknown global option is a usage error", "[cli]") {
    CHECK_THROWS_AS(parse_command_line(kTable, {}), UsageError);
    CHECK_THROWS_WITH(parse_command_line(kTable, {"frobnicate"}),
                      "unknown command \"frobnicate\"; see fleetfuel --help");
    CHECK_THROWS_WITH(parse_command_line(kTable, {"help", "frobnicate"}),
                      "unknown command \"frobnicate\"; see fleetfuel --help");
    CHECK_THROWS_WITH(parse_command_line(kTable, {"--verbose", "import"}),
                      "unknown option \"--verbose\"; see fleetfuel --help");
}

TEST_CASE("the help texts and the markdown come from the table", "[cli]") {
    const auto text = help_text(kTable, "9.9.9");
    CHECK(text.starts_with("fleetfuel 9.9.9"));
    for (const auto& c : kTable) {
        CHECK(text.find("  " + std::string(c.name) + " ") != std::string::npos);
        CHECK(text.find(std::string(c.summary)) != std::string::npos);
    }
    CHECK(command_help(kTable[0]) ==
          "Usage: fleetfuel import --snapshot|--changes [--apply]\n\none-shot import.\n\n"
          "  --apply  commit\n");
    const auto md = commands_markdown(kTable);
    CHECK(md.find("## reset-watermark\n") != std::string::npos);
    CHECK(md.find("fleetfuel reset-watermark [--to KEY]") != std::string::npos);
    CHECK(usage_message(kTable[1], "bad") ==
          "fleetfuel reset-watermark: bad\nusage: fleetfuel reset-watermark [--to KEY] (see "
          "--help)\n");
}
