// The normalisation rules against a real PostgreSQL: installed with the schema, upgraded
// with every stored row, refused when newer, brought back on purpose, all or nothing; and migrate
// as the writer. The "next" rules are this build's files with one rule added, run in-process.
#include "db/rules.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "db/advisory_lock.hpp"
#include "db/connection.hpp"
#include "db/db_test_support.hpp"
#include "db/migrate.hpp"
#include "support/pg_test.hpp"

namespace db = ff::db;
using boost::asio::any_io_executor;
using boost::asio::awaitable;

namespace {

// This build's files with "gasoil" read as diesel, as tests/rules/next_rules.cmake makes them.
std::vector<db::EmbeddedSql> next_files() {
    static const std::string from = "WHEN t IN ('diesel', 'ago') THEN 'diesel'";
    static std::string next_normalise;
    std::vector<db::EmbeddedSql> files = db::embedded_migrations();
    for (auto& f : files) {
        if (f.name != "R__010_normalise.sql") continue;
        next_normalise = std::string(f.text);
        const auto at = next_normalise.find(from);
        REQUIRE(at != std::string::npos);
        next_normalise.replace(at, from.size(),
                               "WHEN t IN ('diesel', 'ago', 'gasoil') THEN 'diesel'");
        f.text = next_normalise;
    }
    return files;
}

db::RulesVersion next_rules() {
    return {db::build_rules().serial + 1, std::string(64, 'a'), false};
}

db::MigrateReport migrate_with(const std::string& url, std::vector<db::EmbeddedSql> files,
                               db::MigrateOptions options = {}) {
    return fftest::run_async([&](any_io_executor ex) -> awaitable<db::MigrateReport> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(url));
        co_return co_await db::migrate(conn, options, files);
    });
}

db::MigrateReport migrate_base(const std::string& url, db::MigrateOptions options = {}) {
    return migrate_with(url, db::embedded_migrations(), std::move(options));
}

db::MigrateReport migrate_next(const std::string& url, db::MigrateOptions options = {}) {
    options.rules = next_rules();
    return migrate_with(url, next_files(), std::move(options));
}

// `n` rows, every third with fuel type "gasoil", normalised by the trigger under the rules in
// force.
void insert_rows(fftest::PgSession& pg, int n) {
    pg.exec(
        "INSERT INTO fuel.records (id, raw) SELECT i, jsonb_build_object('id', i, "
        "'fuel_type', CASE WHEN i % 3 = 0 THEN 'gasoil' ELSE 'Diesel' END, 'litres', '40', "
        "'price_per_litre', 'KES 180') FROM generate_series(1, " +
        std::to_string(n) + ") AS i");
}

// How the stored gasoil rows read: "gasoil" (this build's rules) or "diesel" (the next rules).
std::string gasoil_reads_as(fftest::PgSession& pg) {
    return pg.scalar(
        "SELECT string_agg(DISTINCT fuel_type, ',') FROM fuel.records "
        "WHERE raw ->> 'fuel_type' = 'gasoil'");
}

std::string in_force(fftest::PgSession& pg) {
    return pg.scalar(
        "SELECT serial || ':' || hash || ':' || action FROM fuel.rules_history "
        "ORDER BY id DESC LIMIT 1");
}

}  // namespace

TEST_CASE("a new database gets this build's rules with the schema, recorded once",
          "[db][rules][integration]") {
    fftest::ScratchDatabase scratch;
    const auto first = migrate_base(scratch.url());
    REQUIRE(first.rules);
    CHECK(first.rules->action == "install");
    CHECK_FALSE(first.rules->from);
    CHECK(first.rules->rows == 0);
    fftest::PgSession pg(scratch.url());
    const auto& mine = db::build_rules();
    CHECK(in_force(pg) == std::to_string(mine.serial) + ":" + mine.hash + ":install");
    for (const auto& f : db::embedded_migrations()) {
        if (!f.rules) continue;
        CHECK(pg.scalar("SELECT checksum FROM fuel.schema_migrations WHERE script = $1",
                        {std::string(f.name)}) == db::sha256_hex(f.text));
    }

    const auto second = migrate_base(scratch.url());
    CHECK_FALSE(second.rules);
    CHECK(second.applied.empty());
    CHECK(pg.scalar("SELECT count(*) FROM fuel.rules_history") == "1");
}

TEST_CASE("newer rules are installed with every stored row normalised again, in batches",
          "[db][rules][integration]") {
    fftest::ScratchDatabase scratch;
    migrate_base(scratch.url());
    fftest::PgSession pg(scratch.url());
    insert_rows(pg, 25);
    CHECK(gasoil_reads_as(pg) == "gasoil");
    // A row the new rules do not change keeps its tuple: it is not written at all.
    const auto untouched = pg.scalar("SELECT xmin::text FROM fuel.records WHERE id = 1");

    db::MigrateOptions options;
    options.renormalise.batch_rows = 4;  // 7 batches
    const auto report = migrate_next(scratch.url(), options);
    REQUIRE(report.rules);
    CHECK(report.rules->action == "upgrade");
    CHECK(report.rules->rows == 25);
    CHECK(report.rules->changed == 8);
    CHECK(gasoil_reads_as(pg) == "diesel");
    CHECK(pg.scalar("SELECT xmin::text FROM fuel.records WHERE id = 1") == untouched);
    CHECK(in_force(pg) ==
          std::to_string(next_rules().serial) + ":" + next_rules().hash + ":upgrade");
    CHECK(pg.scalar("SELECT rows_total || '/' || rows_changed FROM fuel.rules_history "
                    "ORDER BY id DESC LIMIT 1") == "25/8");
    // New rows follow the new rules whoever writes them.
    pg.exec("INSERT INTO fuel.records (id, raw) VALUES (100, '{\"fuel_type\": \"gasoil\"}')");
    CHECK(pg.scalar("SELECT fuel_type FROM fuel.records WHERE id = 100") == "diesel");
}

TEST_CASE("an older build refuses newer rules, changing nothing, unless told to downgrade",
          "[db][rules][integration]") {
    fftest::ScratchDatabase scratch;
    migrate_base(scratch.url());
    fftest::PgSession pg(scratch.url());
    insert_rows(pg, 9);
    migrate_next(scratch.url());
    const auto upgraded = in_force(pg);
    const auto recorded = pg.scalar(
        "SELECT string_agg(script || checksum || installed_at, ',' ORDER BY script) FROM "
        "fuel.schema_migrations");

    const auto message = fftest::what_of([&] { migrate_base(scratch.url()); });
    CHECK(message.find("newer than this binary's") != std::string::npos);
    CHECK(message.find("--allow-downgrade") != std::string::npos);
    CHECK(in_force(pg) == upgraded);
    CHECK(pg.scalar("SELECT string_agg(script || checksum || installed_at, ',' ORDER BY script) "
                    "FROM fuel.schema_migrations") == recorded);
    CHECK(gasoil_reads_as(pg) == "diesel");

    db::MigrateOptions downgrade;
    downgrade.allow_downgrade = true;
    const auto report = migrate_base(scratch.url(), downgrade);
    REQUIRE(report.rules);
    CHECK(report.rules->action == "downgrade");
    CHECK(report.rules->changed == 3);
    CHECK(gasoil_reads_as(pg) == "gasoil");
    CHECK(pg.scalar("SELECT fuel_type FROM fuel.normalise('{\"fuel_type\": \"gasoil\"}')") ==
          "gasoil");
    CHECK(pg.scalar("SELECT count(*) FROM fuel.rules_history") == "3");
}

TEST_CASE("rules of the same serial with another hash count as newer", "[db][rules][integration]") {
    fftest::ScratchDatabase scratch;
    migrate_base(scratch.url());
    db::MigrateOptions other;
    other.rules = db::RulesVersion{db::build_rules().serial, std::string(64, 'b'), false};
    other.allow_downgrade = true;  // install them: a build this one does not know
    migrate_with(scratch.url(), db::embedded_migrations(), other);
    const auto message = fftest::what_of([&] { migrate_base(scratch.url()); });
    CHECK(message.find("not known to it") != std::string::npos);
}

TEST_CASE("an upgrade stopped part-way leaves the old rules and columns in force",
          "[db][rules][integration]") {
    fftest::ScratchDatabase scratch;
    migrate_base(scratch.url());
    fftest::PgSession pg(scratch.url());
    insert_rows(pg, 12);
    const auto before = in_force(pg);
    db::MigrateOptions options;
    options.renormalise.batch_rows = 3;
    int batches = 0;
    options.renormalise.stop_requested = [&batches] { return ++batches > 2; };
    const auto message = fftest::what_of([&] { migrate_next(scratch.url(), options); });
    CHECK(message.find("nothing is committed") != std::string::npos);
    CHECK(batches == 3);  // two batches ran, in the transaction that was rolled back
    CHECK(in_force(pg) == before);
    CHECK(gasoil_reads_as(pg) == "gasoil");
    CHECK(pg.scalar("SELECT fuel_type FROM fuel.normalise('{\"fuel_type\": \"gasoil\"}')") ==
          "gasoil");
    CHECK(pg.scalar("SELECT count(*) FROM fuel.rules_history") == "1");

    // The next attempt completes it.
    CHECK(migrate_next(scratch.url()).rules->changed == 4);
    CHECK(gasoil_reads_as(pg) == "diesel");
}

TEST_CASE("migrate is a writer: it waits for the writer lock, or takes it again in its holder",
          "[db][rules][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession holder(scratch.url());
    holder.exec("SELECT pg_advisory_lock(" + std::to_string(db::kWriterLockKey) + ")");
    db::MigrateOptions options;
    options.writer_lock_wait = std::chrono::milliseconds(300);
    bool busy = false;
    try {
        migrate_base(scratch.url(), options);
    } catch (const db::WriterLockBusy& e) {
        busy = std::string(e.what()).find("WRITER_LOCK_WAIT") != std::string::npos;
    }
    CHECK(busy);
    CHECK(holder.scalar("SELECT to_regclass('fuel.records') IS NULL") == "t");
    holder.exec("SELECT pg_advisory_unlock(" + std::to_string(db::kWriterLockKey) + ")");

    // The daemon's leader migrates holding the lock: it gets it at once and keeps exactly its
    // own hold (one unlock releases it, a second finds nothing to release).
    const auto unlocks = fftest::run_async([&](any_io_executor ex) -> awaitable<std::string> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        // Not inside REQUIRE: GCC 12 evaluates a co_await in Catch's macros more than once.
        const bool taken = co_await db::try_acquire_writer_lock(conn);
        REQUIRE(taken);
        const db::MigrateOptions defaults;
        co_await db::migrate(conn, defaults);
        const db::Params key{std::to_string(db::kWriterLockKey)};
        auto first = co_await conn.exec("SELECT pg_advisory_unlock($1::bigint)", key);
        auto second = co_await conn.exec("SELECT pg_advisory_unlock($1::bigint)", key);
        co_return std::string(first.get(0, 0)) + std::string(second.get(0, 0));
    });
    CHECK(unlocks == "tf");
}
