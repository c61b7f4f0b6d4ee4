// `fleetfuel run` through S3 faults: tests/s3's fault proxy between the daemon and s3rver answers
// 503, resets or cuts bodies, or stalls. A failed cycle must stay a failed cycle: the daemon keeps
// running and healthy, quarantines nothing (the files are fine, the transport is not), and once
// S3 answers again it applies every file exactly once.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/daemon_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/pg_test.hpp"
#include "support/test_env.hpp"

using namespace fftest;
using namespace std::chrono_literals;
using Fault = s3test::FaultProxy::Fault;

namespace {

double s3_errors(const Daemon& d) {
    double sum = 0;
    for (const char* op : {"list", "get"}) {
        sum += metric(d.metrics(), std::string("fleetfuel_s3_requests_total{op=\"") + op +
                                       "\",outcome=\"error\"}")
                   .value_or(0);
    }
    return sum;
}

}  // namespace

TEST_CASE("S3 faults under a running daemon fail cycles, never the daemon, and it catches up",
          "[integration]") {
    const std::pair<const char*, Fault> faults[] = {{"503 SlowDown", Fault::status_503},
                                                    {"reset mid-body", Fault::reset_mid_body},
                                                    {"body cut short", Fault::cut_short},
                                                    {"stall", Fault::stall}};
    for (const auto& [name, fault] : faults) {
        DYNAMIC_SECTION(name) {
            ScratchDatabase db;
            std::string bucket = unique_name("fff-");
            for (auto& c : bucket)
                if (c == '_') c = '-';
            s3_put(bucket, "fuel_records/latest.json", snapshot_body(1, 5), true);
            s3test::FaultProxy proxy(s3_endpoint());
            Daemon daemon({{"DATABASE_URL", db.url()},
                           {"RUSTFS_ENDPOINT", proxy.endpoint()},
                           {"RUSTFS_ACCESS_KEY", s3_access_key()},
                           {"RUSTFS_SECRET_KEY", s3_secret_key()},
                           {"FUEL_BUCKET", bucket},
                           {"CHANGES_INTERVAL", "300ms"},
                           {"SNAPSHOT_INTERVAL", "1h"},
                           {"S3_READ_TIMEOUT", "1s"},
                           {"S3_CONNECT_TIMEOUT", "1s"},
                           {"S3_MAX_ATTEMPTS", "2"},
                           {"S3_BACKOFF_BASE", "10ms"},
                           {"S3_BACKOFF_CAP", "50ms"}});
            INFO(daemon.log());
            REQUIRE(daemon.wait_ready());
            PgSession pg(db.url());
            REQUIRE(pg.scalar("SELECT count(*) FROM fuel.records") == "5");

            // The next dozen requests fail, whichever poll or file they belong to.
            proxy.plan(std::vector<Fault>(12, fault));
            const std::vector<std::pair<std::string, std::vector<long long>>> files = {
                {"2026-06-01T01-00-00Z.json", {1001, 1002}},
                {"2026-06-01T02-00-00Z.json", {1003}},
                {"2026-06-01T03-00-00Z.json", {1004, 1005, 1006}}};
            for (const auto& [key, ids] : files)
                s3_put(bucket, "fuel_records/changes/" + key, insert_changes(ids));

            CHECK(eventually([&] { return s3_errors(daemon) > 0; }, 30s));
            CHECK(daemon.get("/healthz").status == 200);
            CHECK(eventually(
                [&] {
                    return pg.scalar("SELECT count(*) FROM fuel.records WHERE id > 1000") == "6";
                },
                60s));
            CHECK(pg.scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'") ==
                  "3");
            CHECK(pg.scalar("SELECT count(*) FROM fuel.change_files WHERE status <> 'applied'") ==
                  "0");
            CHECK(pg.scalar("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'") ==
                  "fuel_records/changes/2026-06-01T03-00-00Z.json");
            CHECK(eventually([&] { return daemon.get("/readyz").status == 200; }, 30s));
            CHECK(daemon.get("/healthz").status == 200);
            CHECK_FALSE(daemon.wait_exit(0ms).has_value());
        }
    }
}
