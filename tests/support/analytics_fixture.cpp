// Builds the analytics test world: migrate with the real migrations, then load a contract-shaped
// export (latest.json and a change file) through the real ingest path over a local source dir.
#include "support/analytics_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "db/connection.hpp"
#include "db/migrate.hpp"
#include "ingest/ingest.hpp"
#include "read/routes.hpp"
#include "s3/local_store.hpp"
#include "support/test_env.hpp"

namespace fftest::analytics {
namespace {

namespace net = boost::asio;

// A free coroutine, not a capturing lambda: the frame must own the url, not a dead closure.
net::awaitable<void> connect_and_migrate(std::string url, std::string reader_role) {
    ff::db::Connection conn(co_await net::this_coro::executor);
    ff::db::ConnectOptions options;
    options.conninfo = std::move(url);
    co_await conn.connect(options);
    ff::db::MigrateOptions migrate_options;  // named: GCC 12 mishandles temporaries in co_await
    migrate_options.reader_role = std::move(reader_role);
    co_await ff::db::migrate(conn, migrate_options);
}

void migrate(const std::string& url, const std::string& reader_role) {
    net::io_context io;
    auto done = net::co_spawn(io, connect_and_migrate(url, reader_role), net::use_future);
    io.run();
    done.get();
}

// The export as the daemon sees it: snapshot first, then the change files, both applied.
net::awaitable<void> connect_and_ingest(std::string url, std::filesystem::path dir) {
    ff::db::Connection conn(co_await net::this_coro::executor);
    ff::db::ConnectOptions options;
    options.conninfo = std::move(url);
    co_await conn.connect(options);
    auto store = ff::s3::make_local_store(dir);
    ff::ingest::IngestOptions ingest;
    ingest.dry_run = false;
    const auto snap = co_await ff::ingest::run_snapshot(conn, *store, ingest);
    if (snap.refused != ff::ingest::Refusal::none || snap.file_error)
        throw std::runtime_error("seed snapshot not applied: " + snap.message);
    const auto changes = co_await ff::ingest::run_changes(conn, *store, ingest);
    if (changes.counts.files_applied != 1 || changes.counts.rejected != 0)
        throw std::runtime_error("seed change file not applied: " +
                                 ff::ingest::to_json(changes.counts));
}

void ingest(const std::string& url, const std::filesystem::path& dir) {
    net::io_context io;
    auto done = net::co_spawn(io, connect_and_ingest(url, dir), net::use_future);
    io.run();
    done.get();
}

void write_file(const std::filesystem::path& path, const std::string& body) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << body;
}

// 150 fills over the last 400 days on six plates. Per plate the odometer grows with the fill
// date, except for one typo that goes backwards (an implausible row). Prices are 180.50 a litre;
// every 25th amount disagrees (price_mismatch), every 40th litres is text (unparseable_number).
// For the attention list: fill 12 is a second fill of KDA123A six hours after fill 6; fills 20
// and 21 carry one receipt number, typed two ways; fill 45's date cannot be read. Fills 30 and
// 31 hold text a spreadsheet would run as a formula, and a note with quotes and a line break.
constexpr const char* kSeedRows = R"sql(
WITH today AS (SELECT (now() AT TIME ZONE 'Africa/Nairobi')::date AS d),
src AS (
    SELECT g,
           (ARRAY['KDA 123A','kdb-456b','KCC789C','KDD 001D','XYZ 999','KDE 555E'])[1 + g % 6] AS plate,
           (ARRAY['Logistics','  sales ',NULL,'Field Ops'])[1 + g % 4] AS department,
           t.d - (CASE WHEN g = 12 THEN 6 ELSE g END * 8 / 3) AS day,
           20 + (g % 17) AS litres
    FROM generate_series(1, 150) AS g CROSS JOIN today AS t
)
SELECT jsonb_build_object(
    'id', g,
    'fill_date', CASE WHEN g = 45 THEN 'last tuesday' ELSE to_char(day, 'YYYY-MM-DD') END,
    'reported_at', to_char(day, 'YYYY-MM-DD') || CASE WHEN g = 12 THEN 'T14:' ELSE 'T08:' END
                   || lpad((g % 60)::text, 2, '0') || ':00+03:00',
    'vehicle_reg', plate,
    'department', department,
    'driver_name', CASE WHEN g = 30 THEN '=HYPERLINK("http://x.example","y")'
                        ELSE 'Driver ' || (g % 5) END,
    'station', CASE WHEN g = 31 THEN '-2+3' ELSE 'Station ' || (g % 3) END,
    'litres', CASE WHEN g % 40 = 0 THEN 'about twenty' ELSE litres::text END,
    'price_per_litre', '180.50',
    'amount', CASE WHEN g % 25 = 0 THEN '1000' ELSE round(litres * 180.50, 2)::text END,
    'odometer', CASE WHEN g = 77 THEN '100' WHEN g = 12 THEN '199760'
                     ELSE (200000 - g * 90)::text END,
    'receipt_no', CASE WHEN g = 21 THEN 'r 00020' ELSE 'R-' || lpad(g::text, 5, '0') END,
    'notes', CASE WHEN g = 30 THEN E'paid "cash", then left\nÉquipe ✓' END,
    'fuel_type', 'Diesel') AS fill
FROM src
)sql";

}  // namespace

SeededDatabase::SeededDatabase(Load load) : session_(db_.url()) {
    // Before migrating, so the views are built with the device join.
    session_.exec(
        "CREATE SCHEMA tracksolid;"
        "CREATE TABLE tracksolid.devices (imei text PRIMARY KEY, device_name text,"
        " vehicle_name text, vehicle_number text, driver_name text);"
        "INSERT INTO tracksolid.devices VALUES"
        " ('860000000000001', 'GT06-1', 'Truck 1', 'KDA123A', 'A'),"
        " ('860000000000002', 'GT06-2', 'Truck 2', 'KDB 456B', 'B'),"
        " ('860000000000003', 'GT06-3', 'Van 3', 'kcc 789c', 'C')");
    // The rows are computed by SQL (dates relative to today in Nairobi) but written out as the
    // exporter would, then loaded by the engine: the read side sees what production would.
    const std::string snapshot = session_.scalar(
        std::string("SELECT json_build_object('table', 'logistics_department.fuel_records', "
                    "'exported_at', to_char(now() AT TIME ZONE 'UTC', "
                    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'row_count', count(*), "
                    "'rows', json_agg(fill ORDER BY (fill->>'id')::int))::text FROM (") +
        kSeedRows + ") AS seed");
    const std::string changed_at = session_.scalar(
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
    dir_ = std::filesystem::temp_directory_path() / unique_name("ff_analytics_");
    write_file(dir_ / "fuel_records/latest.json", snapshot);
    // Fill 3 is deleted in the source after the snapshot: the read side must leave it out.
    write_file(dir_ / "fuel_records/changes/2026-01-01T00:00:00Z.json",
               "{\"changes\": [{\"op\": \"delete\", \"id\": 3, \"changed_at\": \"" + changed_at +
                   "\", \"row\": null}]}");
    if (load == Load::export_only) return;
    migrate(db_.url(), role_.name());
    ingest(db_.url(), dir_);
}

SeededDatabase::~SeededDatabase() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

ReaderRole::ReaderRole() : name_(unique_name("ff_reader_")) {
    PgSession admin(database_url());
    admin.exec("CREATE ROLE " + name_ + " NOLOGIN");
}

ReaderRole::~ReaderRole() {
    PGconn* c = PQconnectdb(database_url().c_str());
    if (PQstatus(c) == CONNECTION_OK) PQclear(PQexec(c, ("DROP ROLE IF EXISTS " + name_).c_str()));
    PQfinish(c);
}

namespace {

ff::read::AnalyticsOptions options_for(const SeededDatabase& db, const std::string& token) {
    ff::read::AnalyticsOptions o;
    o.database_url = db.url();
    o.reader_role = db.reader_role();
    o.token = token;
    o.timeout = std::chrono::seconds(20);
    return o;
}

}  // namespace

AnalyticsServer::AnalyticsServer(const SeededDatabase& db, const std::string& token)
    : AnalyticsServer(options_for(db, token)) {}

AnalyticsServer::AnalyticsServer(ff::read::AnalyticsOptions analytics) {
    ff::http::Router router;
    ff::read::add_analytics_routes(router, io_.get_executor(), std::move(analytics));
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

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers) {
    namespace bhttp = boost::beast::http;
    net::io_context io;
    net::ip::tcp::socket socket(io);
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.keep_alive(false);
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(method == "HEAD");
    bhttp::read(socket, buffer, parser);
    auto res = parser.release();
    HttpReply reply{static_cast<int>(res.result_int()),
                    std::string(res[bhttp::field::content_type]),
                    res.body(),
                    {},
                    res.chunked()};
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = std::string(field.value());
    }
    return reply;
}

HttpReply http_get(std::uint16_t port, const std::string& target, const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return http_request(port, "GET", target, headers);
}

}  // namespace fftest::analytics
