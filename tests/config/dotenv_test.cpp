// The .env file format and its precedence below the real environment.
#include "config/dotenv.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "support/test_env.hpp"

using namespace ff::config;

TEST_CASE("a .env file holds KEY=VALUE lines with comments, quotes and export", "[config]") {
    const auto env = parse_dotenv(
        "# a comment\n"
        "\n"
        "FUEL_BUCKET=fleet\n"
        "export FUEL_PREFIX=exports/\n"
        "  LOG_LEVEL = debug  \n"
        "RUSTFS_REGION=\"eu west\"\n"
        "RUSTFS_ACCESS_KEY='a \"quoted\" #key'\n"
        "RUSTFS_SECRET_KEY=pa#ss  # trailing comment\n"
        "FUEL_ANALYTICS_TOKEN=\"esc\\\"aped\\\\\" # comment\n"
        "EMPTY=\n"
        "WINDOWS=crlf\r\n");
    CHECK(env.at("FUEL_BUCKET") == "fleet");
    CHECK(env.at("FUEL_PREFIX") == "exports/");
    CHECK(env.at("LOG_LEVEL") == "debug");
    CHECK(env.at("RUSTFS_REGION") == "eu west");
    CHECK(env.at("RUSTFS_ACCESS_KEY") == "a \"quoted\" #key");
    CHECK(env.at("RUSTFS_SECRET_KEY") == "pa#ss");
    CHECK(env.at("FUEL_ANALYTICS_TOKEN") == "esc\"aped\\");
    CHECK(env.at("EMPTY").empty());
    CHECK(env.at("WINDOWS") == "crlf");
    CHECK(env.size() == 9);
}

TEST_CASE("a malformed .env line is reported by line number without its content", "[config]") {
    CHECK_THROWS_WITH(parse_dotenv("A=1\nsecret-value-no-equals\n"),
                      ".env: line 2: expected KEY=VALUE");
    CHECK_THROWS_WITH(parse_dotenv("1A=x\n"), ".env: line 1: not a variable name before \"=\"");
    CHECK_THROWS_WITH(parse_dotenv("A=\"unterminated secret\n"),
                      ".env: line 1: unterminated quote");
    CHECK_THROWS_WITH(parse_dotenv("A='x' y\n"),
                      ".env: line 1: unexpected text after the closing quote");
}

TEST_CASE("the real environment wins over the .env file", "[config]") {
    const auto dir = std::filesystem::temp_directory_path() / fftest::unique_name("ff_dotenv_");
    std::filesystem::create_directories(dir);
    const auto path = (dir / ".env").string();
    std::ofstream(path) << "FF_DOTENV_TEST_A=from-file\nFF_DOTENV_TEST_B=from-file\n";
    ::setenv("FF_DOTENV_TEST_A", "from-env", 1);
    ::setenv("FF_DOTENV_TEST_C", "", 1);
    const auto env = load_environment(path);
    ::unsetenv("FF_DOTENV_TEST_A");
    ::unsetenv("FF_DOTENV_TEST_C");
    CHECK(env.at("FF_DOTENV_TEST_A") == "from-env");
    CHECK(env.at("FF_DOTENV_TEST_B") == "from-file");
    CHECK(env.at("FF_DOTENV_TEST_C").empty());
    CHECK(env.count("PATH") == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a missing .env file is fine", "[config]") {
    CHECK_NOTHROW(load_environment("/nonexistent/dir/.env"));
}
