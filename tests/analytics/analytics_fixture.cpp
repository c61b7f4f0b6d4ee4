// Builds the analytics test world: migrate with the real migrations, seed through the trigger.
#include "analytics/analytics_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>

#include "db/connection.hpp"
#include "db/migrate.hpp"
#include "http/analytics_routes.hpp"

namespace fftest::analytics {
namespace {

namespace net = boost::asio;

// A free coroutine, not a capturing lambda: the frame must own the url, not a dead closure.
net::awaitable<void> connect_and_migrate(std::string url) {
    ff::db::Connection conn(co_await net::this_coro::executor);
    ff::db::ConnectOptions options;
    options.conninfo = std::move(url);
    co_await conn.connect(options);
    const ff::db::MigrateOptions defaults;  // named: GCC 12 mishandles temporaries in co_await
    co_await ff::db::migrate(conn, defaults);
}

void migrate(const std::string& url) {
    net::io_context io;
    auto done = net::co_spawn(io, connect_and_migrate(url), net::use_future);
    io.run();
    done.get();
}

// 150 fills over the last 400 days on six plates. Per plate the odometer grows with the fill
// date, except for one typo that goes backwards (an implausible row). Prices are 180.50 a litre;
// every 25th amount disagrees (price_mismatch), every 40th litres is text (unparseable_number).
constexpr const char* kSeed = R"sql(
WITH today AS (SELECT (now() AT TIME ZONE 'Africa/Nairobi')::date AS d),
src AS (
    SELECT g,
           (ARRAY['KDA 123A','kdb-456b','KCC789C','KDD 001D','XYZ 999','KDE 555E'])[1 + g % 6] AS plate,
           (ARRAY['Logistics','  sales ',NULL,'Field Ops'])[1 + g % 4] AS department,
           t.d - (g * 8 / 3) AS day,
           20 + (g % 17) AS litres
    FROM generate_series(1, 150) AS g CROSS JOIN today AS t
)
INSERT INTO fuel.records (id, raw)
SELECT g, jsonb_build_object(
    'id', g,
    'fill_date', to_char(day, 'YYYY-MM-DD'),
    'reported_at', to_char(day, 'YYYY-MM-DD') || 'T08:' || lpad((g % 60)::text, 2, '0') || ':00+03:00',
    'vehicle_reg', plate,
    'department', department,
    'driver_name', 'Driver ' || (g % 5),
    'station', 'Station ' || (g % 3),
    'litres', CASE WHEN g % 40 = 0 THEN 'about twenty' ELSE litres::text END,
    'price_per_litre', '180.50',
    'amount', CASE WHEN g % 25 = 0 THEN '1000' ELSE round(litres * 180.50, 2)::text END,
    'odometer', CASE WHEN g = 77 THEN '100' ELSE (200000 - g * 90)::text END,
    'fuel_type', 'Diesel')
FROM src
)sql";

}  // namespace

SeededDatabase::SeededDatabase() : session_(db_.url()) {
    // Before migrating, so the views are built with the device join.
    session_.exec(
        "CREATE SCHEMA tracksolid;"
        "CREATE TABLE tracksolid.devices (imei text PRIMARY KEY, device_name text,"
        " vehicle_name text, vehicle_number text, driver_name text);"
        "INSERT INTO tracksolid.devices VALUES"
        " ('860000000000001', 'GT06-1', 'Truck 1', 'KDA123A', 'A'),"
        " ('860000000000002', 'GT06-2', 'Truck 2', 'KDB 456B', 'B'),"
        " ('860000000000003', 'GT06-3', 'Van 3', 'kcc 789c', 'C')");
    migrate(db_.url());
    session_.exec(kSeed);
    session_.exec(
        "UPDATE fuel.records SET deleted_at = now(), deleted_reason = 'source' WHERE id = 3");
}

AnalyticsServer::AnalyticsServer(const std::string& database_url, const std::string& token) {
    ff::http::Router router;
    ff::http::add_analytics_routes(router, io_.get_executor(),
                                   {database_url, token, std::chrono::seconds(20), 2});
    ff::http::ServerOptions options;
    options.listen = "127.0.0.1:0";
    server_.emplace(io_, std::move(router), options);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
}

AnalyticsServer::~AnalyticsServer() {
    server_->stop();
    io_.stop();  // idle pooled connections would otherwise keep run() busy
    thread_.join();
}

HttpReply http_get(std::uint16_t port, const std::string& target, const std::string& token) {
    namespace bhttp = boost::beast::http;
    net::io_context io;
    net::ip::tcp::socket socket(io);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    req.keep_alive(false);
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    bhttp::read(socket, buffer, parser);
    auto res = parser.release();
    return {static_cast<int>(res.result_int()), std::string(res[bhttp::field::content_type]),
            res.body()};
}

}  // namespace fftest::analytics
