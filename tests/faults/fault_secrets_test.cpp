// Known secret values through every command's success and failure paths of the real binary:
// none may appear in stdout, stderr, /metrics or /healthz.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "faults_support.hpp"
#include "support/engine_fixture.hpp"
#include "support/test_env.hpp"

using namespace fftest;

namespace {

const std::string kDbPassword = "PgPw9Secret4Faults";
const std::string kS3Secret = "S3Key7Secret2Faults";
const std::string kToken = "Tok3nSecret8Faults";

// The test database's URL with a password in it (the throwaway cluster trusts every login).
std::string with_password(const std::string& url) {
    const auto at = url.find("postgres@");
    REQUIRE(at != std::string::npos);
    return url.substr(0, at) + "postgres:" + kDbPassword + url.substr(at + 8);
}

void expect_no_secret(const std::string& where, const std::string& text) {
    INFO(where << ":\n" << text);
    for (const auto& secret : {kDbPassword, kS3Secret, kToken}) {
        CHECK(text.find(secret) == std::string::npos);
        CHECK(text.find(secret.substr(2, 10)) == std::string::npos);  // no partial echo either
    }
}

int unused_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

// GET http://127.0.0.1:port/path; the whole response (head and body), empty if no answer.
std::string http_get(int port, const std::string& path) {
    try {
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket s(io);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
        boost::asio::write(s, boost::asio::buffer("GET " + path +
                                                  " HTTP/1.1\r\nHost: x\r\nConnection: "
                                                  "close\r\n\r\n"));
        std::string out;
        boost::system::error_code ec;
        boost::asio::read(s, boost::asio::dynamic_buffer(out), ec);
        return out;
    } catch (const std::exception&) {
        return {};
    }
}

}  // namespace

TEST_CASE("Secret values appear in no output of any command, success or failure",
          "[integration][faults]") {
    EngineFixture fx(StoreKind::s3);
    const Scenario s = make_scenario(5501);
    fx.put("latest.json", s.snap1_body);
    for (const auto& f : s.files) fx.put(f.key, f.body);

    Env base = db_env(with_password(fx.url()));
    base["RUSTFS_ENDPOINT"] = s3_endpoint();
    base["RUSTFS_ACCESS_KEY"] = s3_access_key();
    base["RUSTFS_SECRET_KEY"] = kS3Secret;  // wrong for the server: signatures are rejected
    base["FUEL_BUCKET"] = fx.bucket();
    base["FUEL_ANALYTICS_TOKEN"] = kToken;
    base["S3_MAX_ATTEMPTS"] = "1";
    Env db_down = base;
    db_down["DATABASE_URL"] = "postgresql://postgres:" + kDbPassword +
                              "@127.0.0.1:" + std::to_string(unused_port()) + "/fleetfuel";
    db_down["DB_CONNECT_TIMEOUT"] = "1s";

    struct Case {
        const char* name;
        Env env;
        std::vector<std::string> args;
        bool succeeds;
    };
    const std::vector<Case> cases = {
        {"migrate", base, {"migrate"}, true},
        {"config", base, {"config"}, true},
        {"import, wrong S3 secret", base, {"import", "--snapshot", "--changes", "--apply"}, false},
        {"import --json, wrong S3 secret", base, {"import", "--changes", "--json"}, false},
        {"import, DB down", db_down, {"import", "--snapshot", "--apply"}, false},
        {"migrate, DB down", db_down, {"migrate"}, false},
        {"rejects, DB down", db_down, {"rejects"}, false},
        {"healthcheck, nothing listening", base, {"healthcheck"}, false},
        {"check, wrong S3 secret", base, {"check"}, false},
        {"check --json, wrong S3 secret", base, {"check", "--json"}, false},
        {"check, DB down", db_down, {"check", "--timeout", "2s"}, false},
        {"check, DATABASE_URL malformed",
         Env{{"DATABASE_URL", "postgresql://u:" + kDbPassword + "@[bad"}},
         {"check"},
         false},
        {"migrate --adopt-existing", base, {"migrate", "--adopt-existing"}, true},
        {"import, DATABASE_URL malformed",
         Env{{"DATABASE_URL", "postgresql://u:" + kDbPassword + "@[bad"}},
         {"import", "--changes"},
         false},
    };
    int runs = 0;
    for (const auto& c : cases) {
        auto p = run_fleetfuel(c.env, c.args);
        INFO(c.name << ": exit " << p.exit_code << "\n" << p.err);
        CHECK((p.exit_code == 0) == c.succeeds);
        expect_no_secret(std::string(c.name) + " stdout", p.out);
        expect_no_secret(std::string(c.name) + " stderr", p.err);
        ++runs;
    }
    // The successful import from a local directory, with the same secrets in the environment.
    auto ok = run_fleetfuel(base, {"import", "--snapshot", "--apply", "--source-dir",
                                   std::filesystem::temp_directory_path().string()});
    expect_no_secret("import from a directory stderr", ok.err);
    ++runs;

    // The daemon, with the wrong S3 secret (cycles fail) and then its /metrics and /healthz.
    Env daemon = base;
    const int port = unused_port();
    daemon["HTTP_LISTEN"] = "127.0.0.1:" + std::to_string(port);
    daemon["CHANGES_INTERVAL"] = "1s";
    daemon["SNAPSHOT_INTERVAL"] = "2s";
    Proc run;
    std::thread runner([&] { run = run_fleetfuel(daemon, {"run"}, std::chrono::seconds(8)); });
    std::string metrics, health, ready;
    for (int i = 0; i < 60 && metrics.find("fleetfuel_") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        metrics = http_get(port, "/metrics");
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));  // a few failed cycles
    metrics = http_get(port, "/metrics");
    health = http_get(port, "/healthz");
    ready = http_get(port, "/readyz");
    runner.join();
    CHECK(metrics.find("fleetfuel_") != std::string::npos);
    CHECK_FALSE(health.empty());
    expect_no_secret("/metrics", metrics);
    expect_no_secret("/healthz", health);
    expect_no_secret("/readyz", ready);
    expect_no_secret("run stdout", run.out);
    expect_no_secret("run stderr", run.err);
    runs += 1;
    Tally none;
    record_result("secrets: " + std::to_string(runs) + " command runs + daemon /metrics /healthz",
                  runs, none);
}
