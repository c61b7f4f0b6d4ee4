// Serves the Fuel Log over a seeded database and drives it in headless Chromium (tests/browser).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "analytics/analytics_fixture.hpp"

using namespace fftest::analytics;

TEST_CASE("the Fuel Log page shows the API's KPIs in Chromium without console errors",
          "[browser]") {
    SeededDatabase db;
    AnalyticsServer server(db.url());
    const std::string script = FF_SOURCE_DIR "/tests/browser/fuel_log.test.mjs";
    REQUIRE(std::filesystem::exists(FF_SOURCE_DIR "/tests/browser/node_modules/playwright-core"));
    const std::string screenshot = FF_BINARY_DIR "/tests/analytics/fuel-log.png";
    const std::string command = "node '" + script +
                                "' http://127.0.0.1:" + std::to_string(server.port()) + "/ '" +
                                screenshot + "'";
    INFO(command);
    CHECK(std::system(command.c_str()) == 0);
    CHECK(std::filesystem::exists(screenshot));
}
