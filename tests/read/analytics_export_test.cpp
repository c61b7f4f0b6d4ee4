// /analytics/fuel-fills.csv and CORS against the seeded database: the CSV parsed back as a
// spreadsheet would read it, batches past the first streamed, and the allow-list of origins.
#include <catch2/catch.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "read/csv_export.hpp"
#include "support/analytics_fixture.hpp"

using namespace fftest::analytics;

namespace {

using Record = std::vector<std::string>;

// RFC 4180: fields split by commas, records by CRLF, quoted fields may hold both.
std::vector<Record> parse_csv(const std::string& text) {
    std::vector<Record> out;
    Record record;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record.push_back(std::move(field));
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            record.push_back(std::move(field));
            field.clear();
            out.push_back(std::move(record));
            record.clear();
            ++i;
        } else {
            field += c;
        }
    }
    REQUIRE_FALSE(quoted);
    REQUIRE(field.empty());  // the last record ends with CRLF too
    REQUIRE(record.empty());
    return out;
}

std::string today(fftest::PgSession& s, int minus_days = 0) {
    return s.scalar("SELECT ((now() AT TIME ZONE 'Africa/Nairobi')::date - $1::int)::text",
                    {std::to_string(minus_days)});
}

const std::vector<std::string> kHeader = {"id",          "fill_date",       "reported_at",
                                          "vehicle_reg", "vehicle_reg_raw", "vehicle_number",
                                          "imei",        "device_name",     "driver_name",
                                          "department",  "station",         "fuel_type",
                                          "litres",      "price_per_litre", "amount",
                                          "odometer_km", "payment_method",  "receipt_no",
                                          "full_tank",   "flags",           "notes"};

std::size_t column(const std::string& name) {
    for (std::size_t i = 0; i < kHeader.size(); ++i)
        if (kHeader[i] == name) return i;
    FAIL("no column " << name);
    return 0;
}

}  // namespace

TEST_CASE("the CSV export holds the period's fills, RFC 4180, formulas made inert", "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    const auto reply = http_get(server.port(), "/analytics/fuel-fills.csv?period=365d");
    REQUIRE(reply.status == 200);
    CHECK(reply.content_type == "text/csv; charset=utf-8; header=present");
    CHECK(reply.headers.at("content-disposition") ==
          "attachment; filename=\"fuel-fills-" + today(s, 364) + "-to-" + today(s) + ".csv\"");
    const auto records = parse_csv(reply.body);
    REQUIRE(!records.empty());
    CHECK(records[0] == kHeader);

    // Every live fill of the period once, in id order, as fuel.records has it.
    const auto expected = s.query(
        "SELECT id::text AS fill FROM fuel.records WHERE deleted_at IS NULL AND fill_date BETWEEN "
        "$1::date AND $2::date ORDER BY id",
        {today(s, 364), today(s)});
    REQUIRE(records.size() == expected.size() + 1);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(records[i + 1].size() == kHeader.size());
        CHECK(records[i + 1][0] == *expected[i][0]);
    }

    const auto row = [&](const std::string& id) -> const Record& {
        for (const auto& r : records)
            if (r[0] == id) return r;
        FAIL("no fill " << id);
        return records[0];
    };
    // Text a spreadsheet would run is prefixed, and quoted where RFC 4180 needs it.
    CHECK(row("30")[column("driver_name")] == "'=HYPERLINK(\"http://x.example\",\"y\")");
    CHECK(row("31")[column("station")] == "'-2+3");
    CHECK(row("30")[column("notes")] == "paid \"cash\", then left\nÉquipe ✓");
    CHECK(reply.body.find("\"'=HYPERLINK(\"\"http://x.example\"\",\"\"y\"\")\"") !=
          std::string::npos);
    // Values as FleetFuel writes them: Nairobi time, plain decimals, flags, Unassigned.
    CHECK(row("25")[column("flags")] == "price_mismatch");
    CHECK(row("25")[column("amount")] == "1000.00");
    CHECK(row("12")[column("reported_at")].ends_with("T14:12:00+03:00"));
    CHECK(row("12")[column("vehicle_number")] == "KDA123A");
    CHECK(row("12")[column("imei")] == "860000000000001");
    CHECK(row("2")[column("department")] == "Unassigned");
    CHECK(row("1")[column("full_tank")].empty());
}

TEST_CASE("the CSV export takes the filters, an empty period is the header alone, bad input 400",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    auto records = parse_csv(
        http_get(server.port(), "/analytics/fuel-fills.csv?period=90d&vehicle=kdb456b").body);
    CHECK(records.size() - 1 ==
          std::stoul(s.scalar("SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL AND "
                              "vehicle_reg = 'KDB456B' AND fill_date >= $1::date",
                              {today(s, 89)})));
    for (std::size_t i = 1; i < records.size(); ++i) CHECK(records[i][3] == "KDB456B");

    records = parse_csv(
        http_get(server.port(), "/analytics/fuel-fills.csv?from=2001-01-01&to=2001-12-31").body);
    CHECK(records.size() == 1);

    for (const std::string target : {"/analytics/fuel-fills.csv?period=14d",
                                     "/analytics/fuel-fills.csv?from=2024-02-30&to=2024-03-01",
                                     "/analytics/fuel-fills.csv?department=%C3%28"}) {
        INFO(target);
        const auto reply = http_get(server.port(), target);
        CHECK(reply.status == 400);
        CHECK(reply.content_type == "application/json");
        CHECK(reply.body.find("\"error\"") != std::string::npos);
    }
}

TEST_CASE("an export past one batch is streamed chunked, each fill exactly once", "[analytics]") {
    SeededDatabase db;
    auto& s = db.session();
    const int extra = 2 * ff::read::kExportBatchRows + 17;
    s.exec(
        "INSERT INTO fuel.records (id, raw) SELECT 100000 + g, jsonb_build_object('id', 100000 + g,"
        " 'vehicle_reg', 'KDA 123A', 'litres', 30, 'price_per_litre', 180, 'fill_date',"
        " ((now() AT TIME ZONE 'Africa/Nairobi')::date - g % 300)::text)"
        " FROM generate_series(1, " +
        std::to_string(extra) + ") AS g");
    AnalyticsServer server(db);
    const auto reply = http_get(server.port(), "/analytics/fuel-fills.csv?period=365d");
    REQUIRE(reply.status == 200);
    CHECK(reply.chunked);
    const auto records = parse_csv(reply.body);
    const auto expected = std::stoul(s.scalar(
        "SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL AND fill_date >= $1::date",
        {today(s, 364)}));
    CHECK(records.size() - 1 == expected);
    std::set<std::string> ids;
    for (std::size_t i = 1; i < records.size(); ++i) ids.insert(records[i][0]);
    CHECK(ids.size() == expected);

    // HEAD gets the header of the answer and no body.
    const auto head =
        http_request(server.port(), "HEAD", "/analytics/fuel-fills.csv?period=365d", {});
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(head.content_type.starts_with("text/csv"));
}

TEST_CASE("listed origins may call the API from the browser, others get no CORS headers",
          "[analytics]") {
    SeededDatabase db;
    ff::read::AnalyticsOptions o;
    o.database_url = db.url();
    o.reader_role = db.reader_role();
    o.token = "s3cret-token";
    o.cors_origins = {"https://fleetops.example.com"};
    AnalyticsServer server(std::move(o));
    const std::string fleetops = "https://fleetops.example.com";

    // The preflight needs no token (a browser sends none with it).
    auto pre = http_request(server.port(), "OPTIONS", "/analytics/fuel-fills?period=7d",
                            {{"Origin", fleetops},
                             {"Access-Control-Request-Method", "GET"},
                             {"Access-Control-Request-Headers", "authorization"}});
    CHECK(pre.status == 204);
    CHECK(pre.headers["access-control-allow-origin"] == fleetops);
    CHECK(pre.headers["access-control-allow-headers"] == "Authorization");
    CHECK(pre.headers["access-control-allow-methods"] == "GET, HEAD");

    for (const std::string target :
         {"/analytics/fuel-fills?period=7d", "/analytics/filters",
          "/analytics/fuel-fills.csv?period=7d", "/analytics/fuel-fills/attention",
          "/analytics/fuel-fills/efficiency?vehicle=KDA123A"}) {
        INFO(target);
        auto ok = http_request(server.port(), "GET", target,
                               {{"Origin", fleetops}, {"Authorization", "Bearer s3cret-token"}});
        CHECK(ok.status == 200);
        CHECK(ok.headers["access-control-allow-origin"] == fleetops);
        CHECK(ok.headers["vary"] == "Origin");
        // A 401 is readable too, so the SPA can ask for the token.
        auto refused = http_request(server.port(), "GET", target, {{"Origin", fleetops}});
        CHECK(refused.status == 401);
        CHECK(refused.headers["access-control-allow-origin"] == fleetops);
        // Another origin gets the answer (the token guards the data) but no CORS header.
        auto other = http_request(
            server.port(), "GET", target,
            {{"Origin", "https://evil.example.com"}, {"Authorization", "Bearer s3cret-token"}});
        CHECK(other.status == 200);
        CHECK(other.headers.count("access-control-allow-origin") == 0);
    }
    pre = http_request(
        server.port(), "OPTIONS", "/analytics/fuel-fills",
        {{"Origin", "https://evil.example.com"}, {"Access-Control-Request-Method", "GET"}});
    CHECK(pre.status == 204);
    CHECK(pre.headers.count("access-control-allow-origin") == 0);
}
