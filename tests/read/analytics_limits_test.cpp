// The analytics API's bounds against PostgreSQL: input refused before the database, the reader
// role's rights only, one deadline per request with the statement cancelled on the server, a
// bounded queue, and a request whose client leaves cancelled too.
#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "support/analytics_fixture.hpp"

using namespace fftest::analytics;
using namespace std::chrono_literals;

namespace {

namespace net = boost::asio;

// Analytics statements the server is running right now (blocked on a lock counts as running).
int running(fftest::PgSession& s) {
    // This test's database only: other tests run analytics servers in the same cluster.
    return std::stoi(
        s.scalar("SELECT count(*) FROM pg_stat_activity"
                 " WHERE application_name = 'fleetfuel-analytics' AND state = 'active'"
                 " AND datname = current_database()"));
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

// Holds fuel.records in ACCESS EXCLUSIVE mode, so every analytics statement waits on it.
class TableLock {
  public:
    explicit TableLock(const std::string& url) : session_(url) {
        session_.exec("BEGIN; LOCK TABLE fuel.records IN ACCESS EXCLUSIVE MODE");
    }
    ~TableLock() { session_.exec("ROLLBACK"); }

  private:
    fftest::PgSession session_;
};

ff::read::AnalyticsOptions options(const SeededDatabase& db) {
    ff::read::AnalyticsOptions o;
    o.database_url = db.url();
    o.reader_role = db.reader_role();
    return o;
}

// A GET with a raw Authorization header (or none).
int status_with_authorization(std::uint16_t port, const std::string& target,
                              const std::string& authorization) {
    net::io_context io;
    net::ip::tcp::socket socket(io);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
    net::write(socket, net::buffer(request + "\r\n"));
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::http::read(socket, buffer, res);
    return res.result_int();
}

}  // namespace

TEST_CASE("input the database would refuse is a 400 naming the parameter, never a 503",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    for (const std::string target :
         {"/analytics/fuel-fills?from=0000-01-01&to=0000-01-02",
          "/analytics/fuel-fills?from=-001-01-01&to=-001-01-02",
          "/analytics/fuel-fills?period=30d&department=%C3%28",
          "/analytics/fuel-fills/recent?vehicle=%FF%FE", "/analytics/fuel-fills?vehicle=a%00b"}) {
        INFO(target);
        const auto reply = http_get(server.port(), target);
        CHECK(reply.status == 400);
        CHECK(reply.body.find("\"parameter\"") != std::string::npos);
    }
}

TEST_CASE("the Bearer scheme is matched in any case, the token exactly", "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db, "s3cret-token");
    const std::string target = "/analytics/filters";
    CHECK(status_with_authorization(server.port(), target, "Bearer s3cret-token") == 200);
    CHECK(status_with_authorization(server.port(), target, "bearer s3cret-token") == 200);
    CHECK(status_with_authorization(server.port(), target, "BEARER  s3cret-token") == 200);
    CHECK(status_with_authorization(server.port(), target, "Bearer S3CRET-TOKEN") == 401);
    CHECK(status_with_authorization(server.port(), target, "Bearers3cret-token") == 401);
    CHECK(status_with_authorization(server.port(), target, "Basic s3cret-token") == 401);
    CHECK(status_with_authorization(server.port(), target, "") == 401);
}

TEST_CASE("analytics reads with the reader role's rights, not the login's", "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    CHECK(http_get(server.port(), "/analytics/filters").status == 200);
    // The login (a superuser here) could still read the view; the reader no longer can.
    db.session().exec("REVOKE SELECT ON reporting.v_fuel_fills FROM " + db.reader_role());
    CHECK(http_get(server.port(), "/analytics/filters").status == 500);
}

TEST_CASE("a request past FUEL_ANALYTICS_TIMEOUT gets 504 and its statement is cancelled",
          "[analytics]") {
    SeededDatabase db;
    auto o = options(db);
    o.timeout = 1s;
    AnalyticsServer server(std::move(o));
    CHECK(http_get(server.port(), "/analytics/filters").status == 200);  // a pooled connection

    TableLock lock(db.url());
    const auto reply = http_get(server.port(), "/analytics/fuel-fills");
    CHECK(reply.status == 504);
    // The 504 is sent once the server confirmed the cancel, so nothing is left waiting on the
    // lock. The backend reports itself idle a moment after it sent the error (pg_stat_activity
    // lags on a loaded machine); 2 s is well inside the statement_timeout backstop (1 s + 5 s),
    // which is what would end it without the cancel.
    CHECK(eventually([&] { return running(db.session()) == 0; }, 2s));
}

TEST_CASE("past the connections and the queue, analytics answers 503 at once", "[analytics]") {
    SeededDatabase db;
    auto o = options(db);
    o.timeout = 3s;
    o.connections = 1;
    o.queue = 1;
    AnalyticsServer server(std::move(o));
    TableLock lock(db.url());
    std::vector<std::future<int>> replies;
    for (int i = 0; i < 3; ++i)
        replies.push_back(std::async(std::launch::async, [&] {
            return http_get(server.port(), "/analytics/fuel-fills").status;
        }));
    std::vector<int> statuses;
    for (auto& r : replies) statuses.push_back(r.get());
    std::sort(statuses.begin(), statuses.end());
    // One runs (blocked by the lock), one waits in the queue, the third is turned away; the two
    // that waited reach the deadline.
    CHECK(statuses == std::vector<int>{503, 504, 504});
}

TEST_CASE("a client that leaves takes its statement with it, long before the deadline",
          "[analytics]") {
    SeededDatabase db;
    auto o = options(db);
    o.timeout = 120s;
    AnalyticsServer server(std::move(o));
    TableLock lock(db.url());
    {
        net::io_context io;
        net::ip::tcp::socket socket(io);
        socket.connect({net::ip::make_address("127.0.0.1"), server.port()});
        net::write(
            socket,
            net::buffer(std::string("GET /analytics/fuel-fills HTTP/1.1\r\nHost: x\r\n\r\n")));
        REQUIRE(eventually([&] { return running(db.session()) == 1; }, 30s));
    }  // the client closes its connection here
    // Still blocked by the lock, so only a cancel can end it; the deadline is two minutes away.
    CHECK(eventually([&] { return running(db.session()) == 0; }, 30s));
}

TEST_CASE("a CSV download whose client leaves takes its next batch's statement with it",
          "[analytics]") {
    SeededDatabase db;
    // Fat rows (2 KiB of notes each): the export is far larger than what the kernel buffers
    // between the server and a client that stops reading, so it cannot end on its own meanwhile.
    db.session().exec(
        "INSERT INTO fuel.records (id, raw) SELECT 100000 + g, jsonb_build_object('id', 100000 + g,"
        " 'vehicle_reg', 'KDA 123A', 'litres', 30, 'notes', repeat('n', 2048), 'fill_date',"
        " ((now() AT TIME ZONE 'Africa/Nairobi')::date - g % 300)::text)"
        " FROM generate_series(1, 6000) AS g");
    auto o = options(db);
    o.timeout = 120s;
    AnalyticsServer server(std::move(o));

    net::io_context io;
    net::ip::tcp::socket socket(io);
    socket.open(net::ip::tcp::v4());
    socket.set_option(net::socket_base::receive_buffer_size(4096));
    socket.connect({net::ip::make_address("127.0.0.1"), server.port()});
    net::write(socket,
               net::buffer(std::string(
                   "GET /analytics/fuel-fills.csv?period=365d HTTP/1.1\r\nHost: x\r\n\r\n")));
    // The status line comes once the first batch is read; then the client stops reading.
    std::array<char, 512> some{};
    const auto n = socket.read_some(net::buffer(some));
    REQUIRE(std::string(some.data(), n).starts_with("HTTP/1.1 200"));
    {
        TableLock lock(db.url());
        // Reading again lets the server go on, until its next batch waits on the lock.
        socket.non_blocking(true);
        std::array<char, 65536> sink{};
        const bool blocked = eventually(
            [&] {
                boost::system::error_code ec;
                while (socket.read_some(net::buffer(sink), ec) > 0) {
                }
                return running(db.session()) == 1;
            },
            30s);
        REQUIRE(blocked);
        socket.close();  // the client leaves mid-download
        // Only a cancel can end the statement now: the lock stays, the deadline is 2 min away.
        CHECK(eventually([&] { return running(db.session()) == 0; }, 30s));
    }
}
