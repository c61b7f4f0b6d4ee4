// Bounded statements (the read side's): deadline and abandonment cancel on the server through
// PQcancel, the connection survives; and the reader's session (SET ROLE, read-only).
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "db/canceller.hpp"
#include "db/connection.hpp"
#include "db/db_test_support.hpp"
#include "support/pg_test.hpp"
#include "support/test_env.hpp"

namespace db = ff::db;
namespace net = boost::asio;
using net::any_io_executor;
using net::awaitable;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// How many statements of `application_name` the server is running right now.
std::string running(fftest::ScratchDatabase& scratch, const std::string& application_name) {
    fftest::PgSession admin(scratch.url());
    return admin.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
        {application_name});
}

// The same URL with another user name (the test cluster trusts every local user).
std::string as_user(std::string url, const std::string& user) {
    const auto at = url.find("postgres@");
    REQUIRE(at != std::string::npos);
    return url.replace(at, 9, user + "@");
}

}  // namespace

TEST_CASE("a statement past its deadline is cancelled on the server and the connection lives on",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    db::Canceller canceller;
    auto options = fftest::connect_options(scratch.url());
    options.application_name = "ff-deadline-test";
    options.statement_timeout = 0ms;  // no server-side help: only our cancel can end it
    const auto outcome = fftest::run_async([&](any_io_executor ex) -> awaitable<std::string> {
        db::Connection conn(ex);
        co_await conn.connect(options);
        const auto started = Clock::now();
        std::string sqlstate;
        try {
            const db::QueryLimits limits{started + 300ms, &canceller};
            co_await conn.exec("SELECT pg_sleep(60)", {}, limits);
        } catch (const db::DbError& e) {
            sqlstate = e.sqlstate();
            CHECK_FALSE(e.connection_lost());
        }
        CHECK(Clock::now() - started < 30s);  // not the minute of the sleep
        REQUIRE(conn.usable());
        auto again = co_await conn.exec("SELECT 42");
        CHECK(again.get(0, 0) == "42");
        co_return sqlstate;
    });
    CHECK(outcome == "57014");
    CHECK(running(scratch, "ff-deadline-test") == "0");
}

TEST_CASE("a statement whose caller gives up is cancelled on the server, not left running",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    db::Canceller canceller;
    auto options = fftest::connect_options(scratch.url());
    options.application_name = "ff-abandon-test";
    options.statement_timeout = 0ms;
    fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
        using namespace net::experimental::awaitable_operators;
        db::Connection conn(ex);
        co_await conn.connect(options);
        auto query = [&]() -> awaitable<std::string> {
            try {
                const db::QueryLimits limits{Clock::now() + 1h, &canceller};
                co_await conn.exec("SELECT pg_sleep(60)", {}, limits);
                co_return "finished";
            } catch (const db::DbError& e) {
                co_return e.sqlstate();
            }
        };
        // The caller stops waiting after 300 ms, as the server does when an HTTP client leaves.
        net::steady_timer give_up(ex, 300ms);
        auto first = co_await (query() || give_up.async_wait(net::use_awaitable));
        CHECK(first.index() == 1);
        // The statement was cancelled before exec returned, and the connection is reusable.
        CHECK(running(scratch, "ff-abandon-test") == "0");
        REQUIRE(conn.usable());
        auto again = co_await conn.exec("SELECT 7");
        CHECK(again.get(0, 0) == "7");
    });
}

TEST_CASE("a statement cancelled the moment it is sent still ends, with the connection usable",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession locker(scratch.url());
    locker.exec("CREATE TABLE t (x int)");
    locker.exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
    db::Canceller canceller;
    auto options = fftest::connect_options(scratch.url());
    options.application_name = "ff-early-cancel-test";
    options.statement_timeout = 0ms;
    for (int round = 0; round < 5; ++round) {
        const auto sqlstate = fftest::run_async([&](any_io_executor ex) -> awaitable<std::string> {
            db::Connection conn(ex);
            co_await conn.connect(options);
            try {
                // Past its deadline before it is sent: the first cancel races the statement.
                const db::QueryLimits limits{Clock::now(), &canceller};
                co_await conn.exec("SELECT count(*) FROM t", {}, limits);
            } catch (const db::DbError& e) {
                co_return e.sqlstate();
            }
            co_return std::string("finished");
        });
        CHECK(sqlstate == "57014");
        CHECK(running(scratch, "ff-early-cancel-test") == "0");
    }
    locker.exec("ROLLBACK");
}

TEST_CASE("a cancel that cannot be sent drops the connection instead of waiting forever",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    auto options = fftest::connect_options(scratch.url());
    options.statement_timeout = 0ms;
    const bool lost = fftest::run_async([&](any_io_executor ex) -> awaitable<bool> {
        db::Connection conn(ex);
        co_await conn.connect(options);
        db::Canceller full(0);  // a queue with no room: every request is refused
        try {
            const db::QueryLimits limits{Clock::now() + 200ms, &full};
            co_await conn.exec("SELECT pg_sleep(60)", {}, limits);
        } catch (const db::DbError& e) {
            co_return e.connection_lost() && !conn.usable();
        }
        co_return false;
    });
    CHECK(lost);
}

TEST_CASE("a reader session runs as its role, read-only, whatever the login role may do",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    const std::string role = fftest::unique_name("ff_reader_");
    fftest::PgSession admin(scratch.url());
    admin.exec("CREATE ROLE " + role +
               " NOLOGIN; CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
    auto options = fftest::connect_options(scratch.url());
    options.role = role;
    options.read_only = true;
    const auto seen = fftest::run_async([&](any_io_executor ex) -> awaitable<std::string> {
        db::Connection conn(ex);
        co_await conn.connect(options);
        auto who = co_await conn.exec("SELECT current_user::text");
        std::string out(who.get(0, 0));
        for (const char* sql : {"SELECT x FROM t", "CREATE TABLE u (x int)"}) {
            try {
                co_await conn.exec(sql);
                out += " ok";
            } catch (const db::DbError& e) {
                out += " " + e.sqlstate();
            }
        }
        co_return out;
    });
    // 42501: no SELECT on t for the role; 25006: a read-only transaction may not create tables.
    CHECK(seen == role + " 42501 25006");
    admin.exec("DROP ROLE " + role);
}

TEST_CASE("a reader role the login role is not a member of fails the connect clearly",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    const std::string login = fftest::unique_name("ff_login_");
    const std::string role = fftest::unique_name("ff_reader_");
    fftest::PgSession admin(scratch.url());
    admin.exec("CREATE ROLE " + login + " LOGIN; CREATE ROLE " + role + " NOLOGIN");
    auto options = fftest::connect_options(as_user(scratch.url(), login));
    options.role = role;
    const auto message = fftest::run_async([&](any_io_executor ex) -> awaitable<std::string> {
        db::Connection conn(ex);
        try {
            co_await conn.connect(options);
        } catch (const db::DbError& e) {
            co_return std::string(e.what());
        }
        co_return std::string("connected");
    });
    CHECK(message.find("permission denied to set role") != std::string::npos);
    admin.exec("DROP ROLE " + login + "; DROP ROLE " + role);
}
