// `fleetfuel run` through a PostgreSQL outage, on a cluster of the test's own.
#include <catch2/catch.hpp>

#include "support/daemon_fixture.hpp"
#include "support/pg_test.hpp"

using namespace fftest;
using namespace std::chrono_literals;

TEST_CASE("stopping PostgreSQL makes the daemon unready but alive, and it recovers on its own",
          "[integration]") {
    OwnCluster cluster;
    {
        PgSession admin(cluster.url());
        admin.exec("CREATE DATABASE fleet");
    }
    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 3));
    Daemon daemon(local_env(cluster.url("fleet"), dir));
    INFO(daemon.log());
    REQUIRE(daemon.wait_ready());

    cluster.stop();
    CHECK(eventually([&] { return daemon.get("/readyz").status == 503; }));
    CHECK(daemon.get("/healthz").status == 200);
    CHECK(metric(daemon.metrics(), "fleetfuel_db_up") == 0.0);

    // A change that arrives during the outage is applied once the database is back.
    write_text(dir / "fuel_records/changes/2026-06-01T01-00-00Z.json", insert_changes({501, 502}));
    cluster.start();
    CHECK(eventually([&] { return daemon.get("/readyz").status == 200; }));
    CHECK(!daemon.wait_exit(0ms).has_value());
    CHECK(eventually([&] {
        PgSession pg(cluster.url("fleet"));
        return pg.scalar("SELECT count(*) FROM fuel.records WHERE id IN (501, 502)") == "2";
    }));
    std::filesystem::remove_all(dir);
}
