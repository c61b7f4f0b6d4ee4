// Taking over a database the Python tool made: migrate refuses each shape without
// changing anything, --adopt-existing moves each aside intact in one transaction, refuses
// dependants by name and warns about references it cannot see.
#include "db/adopt.hpp"

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "db/connection.hpp"
#include "db/db_test_support.hpp"
#include "db/migrate.hpp"
#include "db/schema_state.hpp"
#include "support/pg_test.hpp"
#include "support/python_era.hpp"

namespace db = ff::db;
using boost::asio::any_io_executor;
using boost::asio::awaitable;
using fftest::PgSession;

namespace {

db::MigrateReport migrate_once(const std::string& url, bool adopt,
                               std::vector<db::EmbeddedSql> files = db::embedded_migrations()) {
    return fftest::run_async([&](any_io_executor ex) -> awaitable<db::MigrateReport> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(url));
        db::MigrateOptions options;
        options.adopt_existing = adopt;
        co_return co_await db::migrate(conn, options, files);
    });
}

db::SchemaState inspect(const std::string& url) {
    return fftest::run_async([&](any_io_executor ex) -> awaitable<db::SchemaState> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(url));
        co_return co_await db::inspect_schema(conn);
    });
}

// The message of the exception of type E that `fn` throws (fails the test otherwise).
template <class E>
std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        FAIL("unexpected error: " << e.what());
    }
    FAIL("expected an error, but it succeeded");
    return {};
}

bool is_fleetfuels(PgSession& s) {
    return s.scalar(
               "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'fuel' "
               "AND table_name = 'records' AND column_name IN ('content_hash', "
               "'vehicle_reg_raw')") == "2" &&
           s.scalar(
               "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
               "'reporting' AND table_name = 'v_fuel_fills' AND column_name = "
               "'vehicle_number'") == "1";
}

struct Shape {
    const char* name;
    std::vector<std::string> files;  // loaded in order
    bool fuel_moves;                 // fuel itself (else only the views) goes to fuel_legacy
    std::vector<std::string> views;  // the reporting views it has
    std::string found;               // part of the refusal message
};

const std::vector<Shape>& shapes() {
    static const std::vector<Shape> kShapes = {
        {"the seed: records, watermark, history, function, index, both views",
         {"seed"},
         true,
         {"v_fuel_fills", "v_fuel_efficiency"},
         "tables fuel.import_state (2 rows), fuel.migrations (3 rows), fuel.records (1900 rows); "
         "1 function; views reporting.v_fuel_fills, reporting.v_fuel_efficiency"},
        {"serial keys, sequences, enum, trigger, materialised view, a foreign schema_migrations",
         {"serial"},
         true,
         {},
         "tables fuel.fuel_records (640 rows), fuel.import_log (30 rows), fuel.schema_migrations "
         "(2 rows); 1 function, 1 materialized view, 2 sequences, 1 type"},
        {"the views only, over a table in public",
         {"views_only"},
         false,
         {"v_fuel_fills", "v_fuel_efficiency"},
         "no fuel schema; views reporting.v_fuel_fills, reporting.v_fuel_efficiency"},
        {"the seed after a FleetFuel without --adopt-existing failed on it",
         {"seed", "fleetfuel_tried"},
         true,
         {"v_fuel_fills", "v_fuel_efficiency"},
         "fuel.records (1900 rows)"},
    };
    return kShapes;
}

}  // namespace

TEST_CASE("migrate refuses every Python-era shape, names what it found and changes nothing",
          "[db][integration][adopt]") {
    for (const auto& shape : shapes()) {
        DYNAMIC_SECTION(shape.name) {
            fftest::ScratchDatabase scratch;
            PgSession s(scratch.url());
            for (const auto& f : shape.files) fftest::load_python_era(s, f);
            const auto before = fftest::catalog_snapshot(s);

            const auto message =
                error_of<db::ForeignSchemaError>([&] { migrate_once(scratch.url(), false); });
            CHECK_THAT(message, Catch::Contains(shape.found));
            CHECK_THAT(message, Catch::Contains("fleetfuel migrate --adopt-existing"));
            CHECK_THAT(message, Catch::Contains("Nothing was changed"));
            CHECK(fftest::catalog_snapshot(s) == before);
            CHECK(inspect(scratch.url()).kind == db::SchemaKind::foreign);
        }
    }
}

TEST_CASE("adopting moves every shape aside intact and creates FleetFuel's schema",
          "[db][integration][adopt]") {
    for (const auto& shape : shapes()) {
        DYNAMIC_SECTION(shape.name) {
            fftest::ScratchDatabase scratch;
            PgSession s(scratch.url());
            for (const auto& f : shape.files) fftest::load_python_era(s, f);
            // What fuel_legacy must hold afterwards: fuel's objects and rows, and the views.
            auto expected = shape.fuel_moves ? fftest::schema_fingerprint(s, "fuel")
                                             : std::vector<std::string>{};
            for (const auto& v : shape.views)
                expected.push_back(v + " v " + fftest::rows_digest(s, "reporting." + v));
            std::sort(expected.begin(), expected.end());
            const auto public_before = fftest::schema_fingerprint(s, "public");

            const auto report = migrate_once(scratch.url(), true);
            REQUIRE(report.adopted);
            CHECK(report.adopted->legacy_schema == "fuel_legacy");
            CHECK(report.applied.size() == db::embedded_migrations().size());
            CHECK(fftest::schema_fingerprint(s, "fuel_legacy") == expected);
            CHECK(fftest::schema_fingerprint(s, "public") == public_before);
            CHECK(is_fleetfuels(s));
            CHECK(s.scalar("SELECT count(*) FROM fuel.records") == "0");
            const auto moved = report.adopted->moved;
            CHECK(moved.size() == (shape.fuel_moves ? 1 : 0) + shape.views.size());
            if (shape.fuel_moves)
                CHECK_THAT(moved.front(), Catch::StartsWith("schema fuel -> fuel_legacy"));
            for (const auto& v : shape.views)
                CHECK(std::count(moved.begin(), moved.end(),
                                 "view reporting." + v + " -> fuel_legacy." + v) == 1);
            CHECK_THAT(s.scalar("SELECT obj_description('fuel_legacy'::regnamespace)"),
                       Catch::Contains("--adopt-existing"));

            // From now on it is FleetFuel's: a plain migrate finds nothing to do or adopt.
            const auto again = migrate_once(scratch.url(), false);
            CHECK(again.applied.empty());
            CHECK_FALSE(again.adopted);
            CHECK(inspect(scratch.url()).kind == db::SchemaKind::fleetfuel);
            CHECK(inspect(scratch.url()).legacy_schemas == std::vector<std::string>{"fuel_legacy"});
        }
    }
}

TEST_CASE("the moved seed still answers its old queries, reading its own tables",
          "[db][integration][adopt]") {
    fftest::ScratchDatabase scratch;
    PgSession s(scratch.url());
    fftest::load_python_era(s, "seed");
    const auto live = s.scalar("SELECT count(*) FROM reporting.v_fuel_fills");
    CHECK(live == "1878");
    migrate_once(scratch.url(), true);
    CHECK(s.scalar("SELECT count(*) FROM fuel_legacy.v_fuel_fills") == live);
    CHECK(s.scalar("SELECT count(*) FROM fuel_legacy.v_fuel_efficiency") == live);
    CHECK(s.scalar("SELECT fuel_legacy.clean_plate('kd 001-a')") == "KD001A");
    CHECK_THAT(s.scalar("SELECT pg_get_viewdef('fuel_legacy.v_fuel_fills'::regclass)"),
               Catch::Contains("fuel_legacy.records"));
    CHECK(s.scalar("SELECT count(*) FROM reporting.v_fuel_fills") == "0");  // FleetFuel's, empty
}

TEST_CASE("a taken fuel_legacy makes the next one fuel_legacy_2", "[db][integration][adopt]") {
    fftest::ScratchDatabase scratch;
    PgSession s(scratch.url());
    s.exec(
        "CREATE SCHEMA fuel_legacy; CREATE TABLE fuel_legacy.kept (x int); "
        "INSERT INTO fuel_legacy.kept VALUES (1)");
    fftest::load_python_era(s, "seed");
    const auto report = migrate_once(scratch.url(), true);
    REQUIRE(report.adopted);
    CHECK(report.adopted->legacy_schema == "fuel_legacy_2");
    CHECK(s.scalar("SELECT count(*) FROM fuel_legacy_2.records") == "1900");
    CHECK(s.scalar("SELECT x FROM fuel_legacy.kept") == "1");
}

TEST_CASE("a view whose name fuel already uses moves as <name>_from_reporting",
          "[db][integration][adopt]") {
    fftest::ScratchDatabase scratch;
    PgSession s(scratch.url());
    fftest::load_python_era(s, "seed");
    s.exec("CREATE TABLE fuel.v_fuel_fills (note text)");  // the tool kept a copy under that name
    const auto report = migrate_once(scratch.url(), true);
    REQUIRE(report.adopted);
    CHECK(std::count(report.adopted->moved.begin(), report.adopted->moved.end(),
                     "view reporting.v_fuel_fills -> fuel_legacy.v_fuel_fills_from_reporting") ==
          1);
    CHECK(s.scalar("SELECT count(*) FROM fuel_legacy.v_fuel_fills_from_reporting") == "1878");
    CHECK(s.scalar("SELECT count(*) FROM fuel_legacy.v_fuel_efficiency") == "1878");
    CHECK(is_fleetfuels(s));
}

TEST_CASE("objects outside fuel that depend on it make adopting refuse, naming each",
          "[db][integration][adopt]") {
    fftest::ScratchDatabase scratch;
    PgSession s(scratch.url());
    fftest::load_python_era(s, "seed");
    fftest::load_python_era(s, "dependants");
    const auto before = fftest::catalog_snapshot(s);
    const auto message = error_of<db::AdoptRefused>([&] { migrate_once(scratch.url(), true); });
    CHECK_THAT(message, Catch::Contains("view reporting.v_fuel_monthly (on view "
                                        "reporting.v_fuel_fills)"));
    CHECK_THAT(message, Catch::Contains("fill_costs_record_id_fkey on public.fill_costs"));
    CHECK_THAT(message, Catch::Contains("public.fill_notes.note_id"));
    CHECK_THAT(message, Catch::Contains("sequence fuel.note_ids"));
    CHECK_THAT(message, Catch::Contains("Nothing was changed"));
    CHECK(fftest::catalog_snapshot(s) == before);
}

TEST_CASE("a function that names fuel only in its body is adopted with a warning naming it",
          "[db][integration][adopt]") {
    fftest::ScratchDatabase scratch;
    PgSession s(scratch.url());
    fftest::load_python_era(s, "seed");
    fftest::load_python_era(s, "name_only");
    const auto report = migrate_once(scratch.url(), true);
    REQUIRE(report.adopted);
    REQUIRE(report.adopted->warnings.size() == 1);
    CHECK(report.adopted->warnings.front() == "function fuel_litres_total()");
}

TEST_CASE(
    "adopting is one transaction: a failing FleetFuel migration leaves the old schema as it was",
    "[db][integration][adopt]") {
    fftest::ScratchDatabase scratch;
    PgSession s(scratch.url());
    fftest::load_python_era(s, "seed");
    const auto before = fftest::catalog_snapshot(s);
    auto files = db::embedded_migrations();
    files.push_back({"V9999__broken.sql", "CREATE TABLE fuel.half_done (x int); SELECT 1/0;"});
    const auto message = error_of<db::DbError>([&] { migrate_once(scratch.url(), true, files); });
    CHECK_THAT(message, Catch::Contains("V9999__broken.sql"));
    CHECK(fftest::catalog_snapshot(s) == before);
}

TEST_CASE("an empty database, an empty fuel schema and FleetFuel's own are not foreign",
          "[db][integration][adopt]") {
    fftest::ScratchDatabase scratch;
    PgSession s(scratch.url());
    CHECK(inspect(scratch.url()).kind == db::SchemaKind::none);
    s.exec("CREATE SCHEMA fuel");  // made by a DBA for FleetFuel to fill
    CHECK(inspect(scratch.url()).kind == db::SchemaKind::none);
    const auto report = migrate_once(scratch.url(), true);  // nothing to adopt: a plain migrate
    CHECK_FALSE(report.adopted);
    const auto state = inspect(scratch.url());
    CHECK(state.kind == db::SchemaKind::fleetfuel);
    CHECK(state.version == 2);
    CHECK(state.legacy_schemas.empty());
}
