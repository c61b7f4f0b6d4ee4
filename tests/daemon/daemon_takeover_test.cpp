// Day one on a database the Python tool made, through the real binary: `migrate` and
// `run` refuse it with one message and exit 1, `migrate --adopt-existing` takes it over, and the
// daemon then ingests into FleetFuel's schema while the legacy one stays as it was.
#include <signal.h>

#include <catch2/catch.hpp>
#include <thread>

#include "support/daemon_fixture.hpp"
#include "support/pg_test.hpp"
#include "support/python_era.hpp"
#include "support/run_process.hpp"

using namespace fftest;
using namespace std::chrono_literals;

namespace {

int lines_of(const std::string& text, const std::string& part) {
    int n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

}  // namespace

TEST_CASE("migrate on the Python tool's database exits 1 with one message naming what it found",
          "[integration][adopt]") {
    ScratchDatabase db;
    PgSession s(db.url());
    load_python_era(s, "seed");
    const auto before = catalog_snapshot(s);
    const auto result = run_fleetfuel({"migrate"}, {{"DATABASE_URL", db.url()}});
    INFO(result.err);
    CHECK(result.exit_code == 1);
    CHECK(lines_of(result.err, "fleetfuel migrate --adopt-existing") == 1);
    CHECK_THAT(result.err, Catch::Contains("fuel.records (1900 rows)"));
    CHECK_THAT(result.err,
               Catch::Contains("views reporting.v_fuel_fills, reporting.v_fuel_efficiency"));
    CHECK(catalog_snapshot(s) == before);
}

TEST_CASE("import and the operator commands refuse the Python tool's schema too",
          "[integration][adopt]") {
    ScratchDatabase db;
    PgSession s(db.url());
    load_python_era(s, "seed");
    const auto before = catalog_snapshot(s);
    const auto rows_before = rows_digest(s, "fuel.records");
    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 5));
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"import", "--snapshot", "--apply", "--source-dir", dir.string()},
          std::vector<std::string>{"reset-watermark", "--apply"},
          std::vector<std::string>{"rejects"}}) {
        const auto result = run_fleetfuel(args, {{"DATABASE_URL", db.url()}});
        INFO(args.front() << ": " << result.err);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains("fleetfuel migrate --adopt-existing"));
    }
    CHECK(catalog_snapshot(s) == before);
    CHECK(rows_digest(s, "fuel.records") == rows_before);
    std::filesystem::remove_all(dir);
}

TEST_CASE("migrate --adopt-existing takes the database over, says what moved, and run then ingests",
          "[integration][adopt]") {
    ScratchDatabase db;
    PgSession s(db.url());
    load_python_era(s, "seed");
    const auto legacy_rows = rows_digest(s, "fuel.records");
    const auto result =
        run_fleetfuel({"migrate", "--adopt-existing"}, {{"DATABASE_URL", db.url()}});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.err, Catch::Contains("moved schema fuel -> fuel_legacy with tables "
                                           "fuel_legacy.import_state (2 rows)"));
    CHECK_THAT(result.err,
               Catch::Contains("moved view reporting.v_fuel_fills -> fuel_legacy.v_fuel_fills"));

    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 5));
    {
        Daemon daemon(local_env(db.url(), dir));
        INFO(daemon.log());
        REQUIRE(daemon.wait_ready());
        CHECK(s.scalar("SELECT count(*) FROM reporting.v_fuel_fills") == "5");
        daemon.signal(SIGTERM);
        CHECK(daemon.wait_exit(20s) == 0);
    }
    CHECK(rows_digest(s, "fuel_legacy.records") == legacy_rows);
    std::filesystem::remove_all(dir);
}

TEST_CASE("run on the Python tool's database exits 1 with the same message instead of retrying",
          "[integration][adopt]") {
    for (const char* migrate_on_start : {"true", "false"}) {
        DYNAMIC_SECTION("FUEL_MIGRATE_ON_START=" << migrate_on_start) {
            ScratchDatabase db;
            PgSession s(db.url());
            load_python_era(s, "seed");
            const auto before = catalog_snapshot(s);
            const auto dir = make_temp_directory("export-");
            auto env = local_env(db.url(), dir);
            env["FUEL_MIGRATE_ON_START"] = migrate_on_start;
            Daemon daemon(env);
            const auto code = daemon.wait_exit(30s);
            INFO(daemon.log());
            CHECK(code == 1);
            CHECK(lines_of(daemon.log(), "fleetfuel migrate --adopt-existing") == 1);
            CHECK_THAT(daemon.log(), Catch::Contains("fuel.records (1900 rows)"));
            CHECK(catalog_snapshot(s) == before);
            std::filesystem::remove_all(dir);
        }
    }
}
