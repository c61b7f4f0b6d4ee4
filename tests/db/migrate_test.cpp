// fleetfuel migrate against a real PostgreSQL: once only, tamper and version checks, concurrency,
// repeatable files and the reader role.
#include "db/migrate.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "db/connection.hpp"
#include "db/db_test_support.hpp"
#include "support/pg_test.hpp"
#include "support/test_env.hpp"

namespace db = ff::db;
using boost::asio::any_io_executor;
using boost::asio::awaitable;

namespace {

db::MigrateReport migrate_once(const std::string& url, const std::vector<db::EmbeddedSql>& files,
                               db::MigrateOptions options = {}) {
    return fftest::run_async([&](any_io_executor ex) -> awaitable<db::MigrateReport> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(url));
        co_return co_await db::migrate(conn, options, files);
    });
}

// The lead's schema file alone: the tests of versioned behaviour must not depend on the views.
std::vector<db::EmbeddedSql> schema_only() {
    for (const auto& f : db::embedded_migrations())
        if (f.name == "V0001__fuel_schema.sql") return {f};
    FAIL("V0001__fuel_schema.sql is not embedded");
    return {};
}

// The schema plus a test-only repeatable view that, like the real ones, changes shape when
// tracksolid.devices exists (checked at the time the file runs).
std::vector<db::EmbeddedSql> schema_and_view() {
    auto files = schema_only();
    files.push_back({"R__test_view.sql",
                     "CREATE OR REPLACE VIEW reporting.v_test AS SELECT id FROM fuel.records;"});
    return files;
}

}  // namespace

TEST_CASE(
    "migrate creates the fuel schema on an empty database and changes nothing the second time",
    "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession check(scratch.url());
    const auto first = migrate_once(scratch.url(), db::embedded_migrations());
    CHECK(first.applied.size() == db::embedded_migrations().size());
    CHECK(check.scalar("SELECT to_regclass('fuel.records') IS NOT NULL") == "t");
    CHECK(check.scalar("SELECT to_regclass('fuel.ingest_state') IS NOT NULL") == "t");
    const auto rows = check.scalar("SELECT count(*) FROM fuel.schema_migrations");
    const auto stamp = check.scalar("SELECT max(installed_at)::text FROM fuel.schema_migrations");

    const auto second = migrate_once(scratch.url(), db::embedded_migrations());
    CHECK(second.applied.empty());
    CHECK(second.already_current == static_cast<int>(db::embedded_migrations().size()));
    CHECK(check.scalar("SELECT count(*) FROM fuel.schema_migrations") == rows);
    CHECK(check.scalar("SELECT max(installed_at)::text FROM fuel.schema_migrations") == stamp);
    CHECK(check.scalar("SELECT checksum FROM fuel.schema_migrations WHERE version = 1") ==
          db::sha256_hex(schema_only().front().text));
}

TEST_CASE("an applied versioned migration whose text changed stops migrate, naming the file",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    migrate_once(scratch.url(), schema_only());
    fftest::PgSession tamper(scratch.url());
    tamper.exec("UPDATE fuel.schema_migrations SET checksum = 'edited' WHERE version = 1");
    const auto message = fftest::what_of([&] { migrate_once(scratch.url(), schema_only()); });
    CHECK(message.find("V0001__fuel_schema.sql") != std::string::npos);
    CHECK(message.find("changed after it was applied") != std::string::npos);
}

TEST_CASE("migrate refuses a database migrated by a newer fleetfuel", "[db][integration]") {
    fftest::ScratchDatabase scratch;
    migrate_once(scratch.url(), schema_only());
    fftest::PgSession future(scratch.url());
    future.exec(
        "INSERT INTO fuel.schema_migrations (script, version, description, kind, checksum, "
        "execution_ms) VALUES ('V9999__from_the_future.sql', 9999, 'from the future', 'V', 'x', "
        "1)");
    const auto message = fftest::what_of([&] { migrate_once(scratch.url(), schema_only()); });
    CHECK(message.find("V9999__from_the_future.sql") != std::string::npos);
    CHECK(message.find("newer") != std::string::npos);
}

TEST_CASE("two migrates at once both succeed and apply each file exactly once",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    const auto& files = db::embedded_migrations();
    boost::asio::io_context io;
    auto one = [&](any_io_executor ex) -> awaitable<db::MigrateReport> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        const db::MigrateOptions defaults;  // not a braced temporary: GCC 12 mis-frees those
        co_return co_await db::migrate(conn, defaults, files);
    };
    auto a = boost::asio::co_spawn(io, one(io.get_executor()), boost::asio::use_future);
    auto b = boost::asio::co_spawn(io, one(io.get_executor()), boost::asio::use_future);
    io.run();
    const auto ra = a.get();
    const auto rb = b.get();
    CHECK(ra.applied.size() + rb.applied.size() == files.size());
    CHECK(ra.already_current + rb.already_current == static_cast<int>(files.size()));
    fftest::PgSession check(scratch.url());
    CHECK(check.scalar("SELECT count(*) FROM fuel.schema_migrations") ==
          std::to_string(files.size()));
}

TEST_CASE("repeatable migrations run again when tracksolid.devices appears", "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession check(scratch.url());
    const auto files = schema_and_view();
    const auto first = migrate_once(scratch.url(), files);
    CHECK(first.applied == std::vector<std::string>{"V0001__fuel_schema.sql", "R__test_view.sql"});
    const auto before = check.scalar(
        "SELECT checksum FROM fuel.schema_migrations WHERE script = 'R__test_view.sql'");
    CHECK(before == db::repeatable_checksum(files.back().text, false));

    CHECK(migrate_once(scratch.url(), files).applied.empty());

    check.exec("CREATE SCHEMA tracksolid; CREATE TABLE tracksolid.devices (imei text, plate text)");
    const auto after_table = migrate_once(scratch.url(), files);
    CHECK(after_table.applied == std::vector<std::string>{"R__test_view.sql"});
    const auto after = check.scalar(
        "SELECT checksum FROM fuel.schema_migrations WHERE script = 'R__test_view.sql'");
    CHECK(after != before);
    CHECK(after == db::repeatable_checksum(files.back().text, true));
    CHECK(migrate_once(scratch.url(), files).applied.empty());
}

TEST_CASE("an edited repeatable migration is applied again", "[db][integration]") {
    fftest::ScratchDatabase scratch;
    auto files = schema_and_view();
    migrate_once(scratch.url(), files);
    files.back().text =
        "CREATE OR REPLACE VIEW reporting.v_test AS SELECT id, raw FROM fuel.records;";
    CHECK(migrate_once(scratch.url(), files).applied ==
          std::vector<std::string>{"R__test_view.sql"});
    fftest::PgSession check(scratch.url());
    CHECK(check.scalar("SELECT count(*) FROM information_schema.columns "
                       "WHERE table_schema = 'reporting' AND table_name = 'v_test'") == "2");
}

TEST_CASE("a failing migration is rolled back and reported with its file name",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    auto files = schema_only();
    files.push_back({"V0002__broken.sql", "CREATE TABLE fuel.half_done (x int); SELECT 1/0;"});
    const auto message = fftest::what_of([&] { migrate_once(scratch.url(), files); });
    CHECK(message.find("V0002__broken.sql") != std::string::npos);
    fftest::PgSession check(scratch.url());
    CHECK(check.scalar("SELECT to_regclass('fuel.half_done') IS NULL") == "t");
    CHECK(check.scalar("SELECT count(*) FROM fuel.schema_migrations") == "1");
}

TEST_CASE("the reader role is granted the reporting views, and a missing role is a clear error",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    db::MigrateOptions options;
    options.reader_role = fftest::unique_name("ff_reader_");
    const auto message =
        fftest::what_of([&] { migrate_once(scratch.url(), schema_and_view(), options); });
    CHECK(message.find("FUEL_READER_ROLE") != std::string::npos);
    CHECK(message.find(options.reader_role) != std::string::npos);

    fftest::PgSession check(scratch.url());
    check.exec("CREATE ROLE " + options.reader_role);
    migrate_once(scratch.url(), schema_and_view(), options);
    CHECK(check.scalar("SELECT has_table_privilege($1, 'reporting.v_test', 'SELECT')",
                       {options.reader_role}) == "t");
    CHECK(check.scalar("SELECT has_table_privilege($1, 'fuel.records', 'SELECT')",
                       {options.reader_role}) == "f");
}
