// Starts the real daemon (`fleetfuel run`) over a local export and drives its Fuel Log page in
// headless Chromium (tests/browser/fuel_log.test.mjs, axe-core included), with and without an
// analytics token.
#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "support/analytics_fixture.hpp"
#include "support/child_process.hpp"
#include "support/test_env.hpp"

using namespace fftest::analytics;

namespace {

std::uint16_t free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// `fleetfuel run` with analytics on, reading the seeded export; stopped with SIGTERM.
class Daemon {
  public:
    Daemon(const SeededDatabase& db, const std::string& token, const std::string& log)
        : port_(free_port()) {
        // FUEL_ANALYTICS_TIMEOUT: this checks the page, not the deadline, and a loaded machine
        // once took over the default 10 s for one of the page's statements.
        std::map<std::string, std::string> env{
            {"PATH", "/usr/bin:/bin"},
            {"DATABASE_URL", db.url()},
            {"FUEL_SOURCE_DIR", db.source_dir().string()},
            {"HTTP_LISTEN", "127.0.0.1:" + std::to_string(port_)},
            {"FUEL_ANALYTICS", "on"},
            {"FUEL_READER_ROLE", db.reader_role()},
            {"CHANGES_INTERVAL", "1s"},
            {"FUEL_ANALYTICS_TIMEOUT", "60s"}};
        if (!token.empty()) env["FUEL_ANALYTICS_TOKEN"] = token;
        child_ = std::make_unique<fftest::ChildProcess>(
            fftest::Launch{.args = {"run"}, .env = std::move(env), .log_path = log});
    }
    ~Daemon() {
        child_->signal(SIGTERM);
        if (!child_->wait_for(std::chrono::seconds(30))) child_->kill();
    }
    std::uint16_t port() const { return port_; }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

    bool alive() const { return child_->running(); }

  private:
    std::uint16_t port_;
    std::unique_ptr<fftest::ChildProcess> child_;
};

int status_of(std::uint16_t port, const std::string& target) {
    try {
        return http_get(port, target).status;
    } catch (const std::exception&) {
        return 0;  // not listening yet
    }
}

// Ready, and the daemon's own ingest has applied the snapshot and the change file.
bool wait_until_loaded(const Daemon& daemon, SeededDatabase& db) {
    for (int i = 0; i < 600 && daemon.alive(); ++i) {
        if (status_of(daemon.port(), "/readyz") == 200) {
            try {
                if (db.session().scalar("SELECT count(*) FILTER (WHERE deleted_at IS NULL) || '/' "
                                        "|| count(*) FROM fuel.records") == "149/150")
                    return true;
            } catch (const std::exception&) {
                // fuel.records does not exist until the daemon has migrated
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

int run_page_script(const Daemon& daemon, const std::string& screenshot,
                    const std::string& env = "") {
    const std::string script = FF_SOURCE_DIR "/tests/browser/fuel_log.test.mjs";
    const std::string command =
        env + " node '" + script + "' " + daemon.base() + " '" + screenshot + "'";
    INFO(command);
    return std::system(command.c_str());
}

}  // namespace

TEST_CASE("the Fuel Log page: deep links, a vehicle's story, attention, CSV, empty period, axe",
          "[browser]") {
    REQUIRE(std::filesystem::exists(FF_SOURCE_DIR "/tests/browser/node_modules/playwright-core"));
    REQUIRE(std::filesystem::exists(FF_SOURCE_DIR "/tests/browser/node_modules/axe-core"));
    SeededDatabase db(SeededDatabase::Load::export_only);
    const std::string log = FF_BINARY_DIR "/tests/read/browser-daemon.log";
    Daemon daemon(db, "", log);
    INFO("daemon log: " << log);
    REQUIRE(wait_until_loaded(daemon, db));

    const std::string screenshot = FF_BINARY_DIR "/tests/read/fuel-log.png";
    std::filesystem::remove(screenshot);
    CHECK(run_page_script(daemon, screenshot) == 0);
    CHECK(std::filesystem::exists(screenshot));
}

TEST_CASE("with an analytics token the page asks for it, then shows the data", "[browser]") {
    REQUIRE(std::filesystem::exists(FF_SOURCE_DIR "/tests/browser/node_modules/playwright-core"));
    REQUIRE(std::filesystem::exists(FF_SOURCE_DIR "/tests/browser/node_modules/axe-core"));
    SeededDatabase db(SeededDatabase::Load::export_only);
    const std::string log = FF_BINARY_DIR "/tests/read/browser-daemon-token.log";
    const std::string token = "browser-test-token-1f4c";
    Daemon daemon(db, token, log);
    INFO("daemon log: " << log);
    REQUIRE(wait_until_loaded(daemon, db));
    CHECK(http_get(daemon.port(), "/analytics/fuel-fills").status == 401);

    const std::string screenshot = FF_BINARY_DIR "/tests/read/fuel-log-token.png";
    std::filesystem::remove(screenshot);
    CHECK(run_page_script(
              daemon, screenshot,
              "FUEL_ANALYTICS_TOKEN='" + token + "' FF_ASK_TOKEN=1 FF_DOCS_SCREENSHOTS=") == 0);
    CHECK(std::filesystem::exists(screenshot));
}
