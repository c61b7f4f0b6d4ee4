// COPY FROM STDIN through ff::db::Connection: many small puts, and an aborted COPY.
#include <catch2/catch.hpp>
#include <string>

#include "db/connection.hpp"
#include "db/db_test_support.hpp"
#include "support/pg_test.hpp"

namespace db = ff::db;
using boost::asio::any_io_executor;
using boost::asio::awaitable;

TEST_CASE("COPY of 100000 rows sent in many small pieces arrives complete", "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession check(scratch.url());
    check.exec("CREATE TABLE copied (id bigint PRIMARY KEY, note text)");
    constexpr int kRows = 100'000;
    auto copied = fftest::run_async([&](any_io_executor ex) -> awaitable<long long> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        co_await conn.copy_begin("COPY copied (id, note) FROM STDIN");
        for (int i = 1; i <= kRows; ++i) {
            // Split each row mid-way: COPY data need not align with rows.
            const std::string row = std::to_string(i) + "\tnote \u00e9 " + std::to_string(i) + "\n";
            const auto half = row.size() / 2;
            co_await conn.copy_put(std::string_view(row).substr(0, half));
            co_await conn.copy_put(std::string_view(row).substr(half));
        }
        auto r = co_await conn.copy_end();
        CHECK(conn.usable());
        co_return r.affected_rows();
    });
    CHECK(copied == kRows);
    CHECK(check.scalar("SELECT count(*) FROM copied") == std::to_string(kRows));
    CHECK(check.scalar("SELECT sum(id) FROM copied") == std::to_string(5'000'050'000LL));
    CHECK(check.scalar("SELECT note FROM copied WHERE id = 77777") == "note \u00e9 77777");
}

TEST_CASE("an aborted COPY stores nothing and the connection stays usable", "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession check(scratch.url());
    check.exec("CREATE TABLE copied (id bigint PRIMARY KEY)");
    fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        co_await conn.copy_begin("COPY copied (id) FROM STDIN");
        co_await conn.copy_put("1\n2\n");
        co_await conn.copy_abort("test changed its mind");
        CHECK(conn.usable());
        auto r = co_await conn.exec("SELECT count(*) FROM copied");
        CHECK(r.get_int(0, 0) == 0);
    });
}

TEST_CASE("bad COPY data fails at copy_end with the server's SQLSTATE", "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession check(scratch.url());
    check.exec("CREATE TABLE copied (id bigint PRIMARY KEY)");
    fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        co_await conn.copy_begin("COPY copied (id) FROM STDIN");
        co_await conn.copy_put("1\nnot a number\n");
        std::string sqlstate;
        try {
            co_await conn.copy_end();
        } catch (const db::DbError& e) {
            sqlstate = e.sqlstate();
        }
        CHECK(sqlstate == "22P02");
        CHECK(conn.usable());
    });
    CHECK(check.scalar("SELECT count(*) FROM copied") == "0");
}
