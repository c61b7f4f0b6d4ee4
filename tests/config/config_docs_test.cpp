// The committed env example and reference are exactly what the table generates.
#include "config/config_docs.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/config_table.hpp"

using namespace ff::config;

namespace {

std::string read_source_file(const std::string& relative) {
    std::ifstream in(std::string(FF_SOURCE_DIR) + "/" + relative, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE(
    "config/fleetfuel.env.example is the generated text (regenerate with fleetfuel config "
    "--env-example)",
    "[config]") {
    CHECK(read_source_file("config/fleetfuel.env.example") == render_env_example());
}

TEST_CASE(
    "docs/configuration.md is the generated text (regenerate with fleetfuel config "
    "--markdown)",
    "[config]") {
    CHECK(read_source_file("docs/configuration.md") == render_markdown());
}

TEST_CASE("every variable and every *_FILE form is documented", "[config]") {
    const auto example = render_env_example();
    const auto markdown = render_markdown();
    for (const auto& v : variables()) {
        INFO(v.name);
        // A retired variable is only in the reference, which says so; the example leaves it out.
        CHECK((example.find(std::string(v.name) + "=") != std::string::npos) != v.retired);
        CHECK(markdown.find("| `" + std::string(v.name) + "` |") != std::string::npos);
        CHECK_FALSE(v.description.empty());
        if (accepts_file(v))
            CHECK(markdown.find(std::string(v.name) + "_FILE") != std::string::npos);
    }
}

TEST_CASE("the env example parses back to the defaults", "[config]") {
    // Uncommented lines are the required variables, left empty; the rest are comments.
    std::istringstream lines(render_env_example());
    Environment env;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line.front() == '#') continue;
        const auto eq = line.find('=');
        REQUIRE(eq != std::string::npos);
        env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    CHECK(env.count("DATABASE_URL") == 1);
    CHECK(parse(env) == Config{});
}

TEST_CASE("the effective configuration masks secrets and redacts the database password",
          "[config]") {
    const Config cfg = parse({{"DATABASE_URL", "postgresql://fleet:eff-db-pass-9@db/fleet"},
                              {"RUSTFS_SECRET_KEY", "eff-secret-key-9"},
                              {"FUEL_ANALYTICS_TOKEN", "eff-token-9"},
                              {"CHANGES_INTERVAL", "90s"}});
    const auto text = render_effective(cfg);
    CHECK(text.find("eff-db-pass-9") == std::string::npos);
    CHECK(text.find("eff-secret-key-9") == std::string::npos);
    CHECK(text.find("eff-token-9") == std::string::npos);
    CHECK(text.find("DATABASE_URL=postgresql://fleet:***@db/fleet\n") != std::string::npos);
    CHECK(text.find("RUSTFS_SECRET_KEY=***\n") != std::string::npos);
    CHECK(text.find("CHANGES_INTERVAL=90s\n") != std::string::npos);
    CHECK(text.find("MAX_OBJECT_BYTES=2GiB\n") != std::string::npos);
    CHECK(text.find("MAX_DELETE_FRACTION=0.1\n") != std::string::npos);
}
