// ff::db::Connection against a real PostgreSQL: connecting, parameters, errors, lost connections.
#include "db/connection.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "db/db_test_support.hpp"
#include "support/pg_test.hpp"
#include "support/test_env.hpp"

namespace db = ff::db;
using boost::asio::any_io_executor;
using boost::asio::awaitable;

namespace {

std::string keyword_conninfo(const std::string& host, const std::string& dbname) {
    return "host=" + host + " port=" + fftest::required_env("FF_TEST_PGPORT") +
           " dbname=" + dbname + " user=postgres";
}

// Makes one role authenticate by password on the test cluster (which trusts everyone else), and
// takes the rule out again afterwards.
class PasswordRule {
  public:
    explicit PasswordRule(const std::string& role)
        : path_(fftest::required_env("FF_TEST_PGDATA") + "/pg_hba.conf") {
        std::ifstream in(path_);
        std::stringstream old;
        old << in.rdbuf();
        original_ = old.str();
        std::ofstream(path_) << "host all " << role << " 127.0.0.1/32 scram-sha-256\n" << original_;
        reload();
    }
    ~PasswordRule() {
        std::ofstream(path_) << original_;
        reload();
    }

  private:
    void reload() {
        fftest::PgSession admin(fftest::database_url());
        admin.exec("SELECT pg_reload_conf()");
    }
    std::string path_;
    std::string original_;
};

}  // namespace

TEST_CASE("a connection from a postgresql URL runs queries with FleetFuel's session settings",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    auto row = fftest::run_async([&](any_io_executor ex) -> awaitable<std::vector<std::string>> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        REQUIRE(conn.usable());
        auto r = co_await conn.exec(
            "SELECT current_database(), current_setting('application_name'), "
            "current_setting('TimeZone'), current_setting('statement_timeout'), "
            "current_setting('idle_in_transaction_session_timeout')");
        co_return std::vector<std::string>{std::string(r.get(0, 0)), std::string(r.get(0, 1)),
                                           std::string(r.get(0, 2)), std::string(r.get(0, 3)),
                                           std::string(r.get(0, 4))};
    });
    CHECK(row[0] == scratch.name());
    CHECK(row[1] == "fleetfuel");
    CHECK(row[2] == "UTC");
    CHECK(row[3] == "5min");
    CHECK(row[4] == "10min");
}

TEST_CASE("a keyword/value conninfo with a host name connects after resolving it asynchronously",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    // "localhost" may resolve to ::1 first while the server listens on 127.0.0.1 only: every
    // address is handed to libpq, which tries them in turn.
    for (const std::string host : {"127.0.0.1", "localhost"}) {
        auto described = fftest::run_async([&](any_io_executor ex) -> awaitable<std::string> {
            db::Connection conn(ex);
            co_await conn.connect(fftest::connect_options(keyword_conninfo(host, scratch.name())));
            auto r = co_await conn.exec("SELECT 1");
            REQUIRE(r.get_int(0, 0) == 1);
            co_return conn.describe();
        });
        CHECK(described.find(scratch.name()) != std::string::npos);
        CHECK(described.find(host) != std::string::npos);
    }
}

TEST_CASE("a wrong password is a clear error that does not show the password",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    const auto role = fftest::unique_name("ff_pw_");
    fftest::PgSession admin(fftest::database_url());
    admin.exec("CREATE ROLE " + role + " LOGIN PASSWORD 'Right-Password-4821'");
    PasswordRule rule(role);
    const std::string wrong = "Wrong-Password-9137";
    const auto url = "postgresql://" + role + ":" + wrong +
                     "@127.0.0.1:" + fftest::required_env("FF_TEST_PGPORT") + "/" + scratch.name();
    std::string message;
    // The server applies a reloaded pg_hba.conf to new connections shortly after the signal.
    for (int attempt = 0; attempt < 50 && message.empty(); ++attempt) {
        try {
            fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
                db::Connection conn(ex);
                co_await conn.connect(fftest::connect_options(url));
            });
        } catch (const db::DbError& e) {
            message = e.what();
        }
    }
    INFO(message);
    CHECK(message.find("password authentication failed") != std::string::npos);
    CHECK(message.find(wrong) == std::string::npos);
    CHECK(message.find(role) != std::string::npos);
}

TEST_CASE("connecting to a closed port fails cleanly", "[db][integration]") {
    std::string message;
    bool lost = false;
    try {
        fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
            db::Connection conn(ex);
            co_await conn.connect(fftest::connect_options(
                "postgresql://postgres:Secret-Password-55@127.0.0.1:1/postgres"));
        });
    } catch (const db::DbError& e) {
        message = e.what();
        lost = e.connection_lost();
    }
    INFO(message);
    CHECK(lost);
    CHECK(message.find("127.0.0.1") != std::string::npos);
    CHECK(message.find("Secret-Password-55") == std::string::npos);
}

TEST_CASE("a server that accepts but never answers hits the connect timeout", "[db][integration]") {
    // A listening socket that never accepts: the kernel completes the TCP handshake, then silence.
    boost::asio::io_context listener_io;
    boost::asio::ip::tcp::acceptor silent(listener_io,
                                          {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = std::to_string(silent.local_endpoint().port());
    std::string message;
    try {
        fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
            db::Connection conn(ex);
            auto options = fftest::connect_options("host=127.0.0.1 port=" + port +
                                                   " dbname=x user=postgres password=Pw-77889");
            options.connect_timeout = std::chrono::milliseconds(300);
            co_await conn.connect(options);
        });
    } catch (const db::DbError& e) {
        message = e.what();
    }
    INFO(message);
    CHECK(message.find("timed out") != std::string::npos);
    CHECK(message.find("Pw-77889") == std::string::npos);
}

TEST_CASE("parameters round-trip NULLs, quotes, backslashes and Unicode unchanged",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    const db::Params sent{std::nullopt,
                          std::string("it's \"quoted\""),
                          std::string("back\\slash \\x00 \\n"),
                          std::string("Jos\u00e9 \u65e5\u672c \U0001F69A"),
                          std::string(""),
                          std::string("two\nlines\ttab")};
    auto received = fftest::run_async([&](any_io_executor ex) -> awaitable<db::Params> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        auto r = co_await conn.exec(
            "SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text", sent);
        db::Params out;
        for (int c = 0; c < r.columns(); ++c) out.push_back(r.get_opt(0, c));
        co_return out;
    });
    CHECK(received == sent);
}

TEST_CASE("a SQL error carries its SQLSTATE and leaves the connection usable",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        std::string sqlstate, message;
        bool lost = true;
        try {
            co_await conn.exec("SELECT * FROM no_such_table");
        } catch (const db::DbError& e) {
            sqlstate = e.sqlstate();
            message = e.what();
            lost = e.connection_lost();
        }
        CHECK(sqlstate == "42P01");
        CHECK(message.find("no_such_table") != std::string::npos);
        CHECK_FALSE(lost);
        CHECK(conn.usable());
        auto r = co_await conn.exec("SELECT 41 + 1");
        CHECK(r.get_int(0, 0) == 42);
    });
}

TEST_CASE("a terminated backend makes the next statement report a lost connection",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::PgSession admin(scratch.url());
    fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
        db::Connection conn(ex);
        co_await conn.connect(fftest::connect_options(scratch.url()));
        auto pid = co_await conn.exec("SELECT pg_backend_pid()");
        admin.query("SELECT pg_terminate_backend($1::int)", {std::string(pid.get(0, 0))});
        bool lost = false;
        try {
            co_await conn.exec("SELECT 1");
        } catch (const db::DbError& e) {
            lost = e.connection_lost();
        }
        CHECK(lost);
        CHECK(conn.state() == db::Connection::State::broken);
        CHECK_FALSE(conn.usable());
    });
}
