// The logger's output: one valid JSON object per line in json format, secrets scrubbed in both.
#include <rapidjson/document.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/log.hpp"
#include "core/secrets.hpp"
#include "support/test_env.hpp"

namespace {

// Runs `body` with stderr redirected to a file and returns what it wrote, line by line.
template <class F>
std::vector<std::string> capture_stderr(F&& body) {
    const std::string path = "/tmp/" + fftest::unique_name("ff_log_") + ".txt";
    std::fflush(stderr);
    const int saved = ::dup(2);
    REQUIRE(std::freopen(path.c_str(), "w", stderr) != nullptr);
    body();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::remove(path.c_str());
    return lines;
}

}  // namespace

TEST_CASE("json logs are one valid JSON object per line, whatever the message holds",
          "[core][log]") {
    ff::secrets::add("json-log-secret-42");
    const std::vector<std::string> messages = {"plain",
                                               "quote \" backslash \\ tab \t",
                                               "two\nlines",
                                               std::string("nul \0 byte", 10),
                                               "control \x01\x1f",
                                               "unicode: Nairobi \xE2\x80\x94 caf\xC3\xA9",
                                               "key=json-log-secret-42"};
    const auto lines = capture_stderr([&] {
        ff::log::init("info", ff::log::Format::json);
        for (const auto& m : messages) spdlog::warn("{}", m);
        spdlog::debug("below the level, not written");
    });
    REQUIRE(lines.size() == messages.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        INFO(lines[i]);
        rapidjson::Document doc;
        doc.Parse(lines[i].c_str(), lines[i].size());
        REQUIRE_FALSE(doc.HasParseError());
        REQUIRE(doc.IsObject());
        CHECK(doc["level"].GetString() == std::string("warning"));
        CHECK(std::string(doc["ts"].GetString()).ends_with("Z"));
        const std::string msg(doc["msg"].GetString(), doc["msg"].GetStringLength());
        if (i + 1 == messages.size())
            CHECK(msg == "key=***");
        else
            CHECK(msg == messages[i]);
    }
}

TEST_CASE("text logs keep one line per message and scrub secrets", "[core][log]") {
    ff::secrets::add("text-log-secret-43");
    const auto lines = capture_stderr([] {
        ff::log::init("debug", ff::log::Format::text);
        spdlog::info("connecting with text-log-secret-43");
        spdlog::debug("debug shown");
        spdlog::warn("libpq says: refused\n\tIs the server running?");
    });
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].ends_with(" info connecting with ***"));
    CHECK(lines[1].ends_with(" debug debug shown"));
    CHECK(lines[2].ends_with(" warning libpq says: refused |  Is the server running?"));
}
