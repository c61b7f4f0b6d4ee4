// The /analytics/* endpoints against a migrated, seeded PostgreSQL, checked with independent SQL.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <set>

#include "support/analytics_fixture.hpp"

using namespace fftest::analytics;

namespace {

rapidjson::Document parse(const HttpReply& reply) {
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    REQUIRE(reply.content_type == "application/json");
    rapidjson::Document doc;
    doc.Parse(reply.body.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

double num(const std::string& text) {
    return std::stod(text);
}

// Totals straight from fuel.records (not the views), for a fill_date range and extra condition.
struct Expected {
    long long fills;
    double litres;
    double spend;
    long long vehicles;
};

Expected expected(fftest::PgSession& s, const std::string& from, const std::string& to,
                  const std::string& condition = "true") {
    const auto rows = s.query(
        "SELECT count(*), coalesce(round(sum(litres), 2), 0), coalesce(round(sum(amount), 2), 0),"
        " count(DISTINCT vehicle_reg) FROM fuel.records WHERE deleted_at IS NULL"
        " AND fill_date BETWEEN $1::date AND $2::date AND (" +
            condition + ")",
        {from, to});
    return {std::stoll(*rows[0][0]), num(*rows[0][1]), num(*rows[0][2]), std::stoll(*rows[0][3])};
}

std::string today(fftest::PgSession& s, int minus_days = 0) {
    return s.scalar("SELECT ((now() AT TIME ZONE 'Africa/Nairobi')::date - $1::int)::text",
                    {std::to_string(minus_days)});
}

void check_totals(const rapidjson::Document& doc, const Expected& e) {
    const auto& t = doc["totals"];
    CHECK(t["fills"].GetInt64() == e.fills);
    CHECK(t["litres"].GetDouble() == Approx(e.litres).margin(0.001));
    CHECK(t["spend"].GetDouble() == Approx(e.spend).margin(0.001));
    CHECK(t["vehicles"].GetInt64() == e.vehicles);
}

std::string error_parameter(const HttpReply& reply) {
    rapidjson::Document doc;
    doc.Parse(reply.body.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("parameter") ||
        !doc.HasMember("error"))
        return "<no json error>";
    return doc["parameter"].GetString();
}

}  // namespace

TEST_CASE("fuel-fills reports the last 30 Nairobi days by default, matching fuel.records",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    const auto doc = parse(http_get(server.port(), "/analytics/fuel-fills"));
    auto& s = db.session();

    CHECK(std::string(doc["period"]["from"].GetString()) == today(s, 29));
    CHECK(std::string(doc["period"]["to"].GetString()) == today(s));
    const auto e = expected(s, today(s, 29), today(s));
    REQUIRE(e.fills > 5);
    check_totals(doc, e);
    CHECK(
        doc["totals"]["avg_price_per_litre"].GetDouble() ==
        Approx(num(s.scalar(
                   "SELECT round(sum(amount) / sum(litres), 2) FROM fuel.records WHERE deleted_at"
                   " IS NULL AND litres > 0 AND amount IS NOT NULL AND fill_date BETWEEN $1 AND $2",
                   {today(s, 29), today(s)})))
            .margin(0.001));

    long long row_fills = 0;
    for (const auto& r : doc["rows"].GetArray()) row_fills += r["fills"].GetInt64();
    CHECK(row_fills == e.fills);

    const auto& trend = doc["trend"].GetArray();
    REQUIRE(trend.Size() == 30);
    double trend_spend = 0;
    for (const auto& d : trend) trend_spend += d["spend"].GetDouble();
    CHECK(trend_spend == Approx(e.spend).margin(0.01));
    CHECK(std::string(trend[29]["date"].GetString()) == today(s));

    long long unassigned = -1;
    for (const auto& d : doc["by_department"].GetArray())
        if (std::string(d["department"].GetString()) == "Unassigned")
            unassigned = d["fills"].GetInt64();
    CHECK(unassigned == expected(s, today(s, 29), today(s), "department IS NULL").fills);
}

TEST_CASE("fuel-fills periods and explicit date ranges are inclusive fill_date ranges",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    for (const auto& [period, days] : {std::pair{"7d", 7}, {"90d", 90}, {"365d", 365}}) {
        INFO(period);
        const auto doc =
            parse(http_get(server.port(), std::string("/analytics/fuel-fills?period=") + period));
        check_totals(doc, expected(s, today(s, days - 1), today(s)));
    }
    const auto from = today(s, 200);
    const auto to = today(s, 100);
    const auto doc =
        parse(http_get(server.port(), "/analytics/fuel-fills?from=" + from + "&to=" + to));
    CHECK(std::string(doc["period"]["from"].GetString()) == from);
    check_totals(doc, expected(s, from, to));
    CHECK(doc["trend"].GetArray().Size() == 101);
}

TEST_CASE("fuel-fills filters by department (Unassigned for none) and by normalised plate",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    const auto from = today(s, 364);
    const auto to = today(s);

    auto doc =
        parse(http_get(server.port(), "/analytics/fuel-fills?period=365d&department=Unassigned"));
    check_totals(doc, expected(s, from, to, "department IS NULL"));
    doc = parse(http_get(server.port(), "/analytics/fuel-fills?period=365d&department=sales"));
    check_totals(doc, expected(s, from, to, "department = 'Sales'"));

    doc = parse(http_get(server.port(), "/analytics/fuel-fills?period=365d&vehicle=kda-123%20a"));
    check_totals(doc, expected(s, from, to, "vehicle_reg = 'KDA123A'"));
    REQUIRE(doc["rows"].GetArray().Size() == 1);
    CHECK(std::string(doc["rows"][0]["vehicle_reg"].GetString()) == "KDA123A");
    CHECK(std::string(doc["rows"][0]["vehicle_number"].GetString()) == "KDA123A");
}

TEST_CASE("fuel-fills km and km per litre count plausible efficiency rows only", "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    REQUIRE(s.scalar("SELECT count(*) FROM reporting.v_fuel_efficiency WHERE plausible = false") !=
            "0");
    const auto doc = parse(http_get(server.port(), "/analytics/fuel-fills?period=365d"));
    const auto row = s.query(
        "SELECT sum(distance_km), round(sum(distance_km) / sum(litres), 2)"
        " FROM reporting.v_fuel_efficiency WHERE plausible AND fill_date BETWEEN $1 AND $2",
        {today(s, 364), today(s)});
    CHECK(doc["totals"]["km"].GetInt64() == std::stoll(*row[0][0]));
    CHECK(doc["totals"]["km_per_litre"].GetDouble() == Approx(num(*row[0][1])).margin(0.001));
}

TEST_CASE("recent fills come newest first with their flags, and deleted fills are left out",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    auto doc = parse(http_get(server.port(), "/analytics/fuel-fills/recent?limit=5"));
    const auto newest = s.query(
        "SELECT id FROM fuel.records WHERE deleted_at IS NULL"
        " ORDER BY fill_date DESC NULLS LAST, reported_at DESC NULLS LAST, id DESC LIMIT 5");
    REQUIRE(doc["rows"].GetArray().Size() == 5);
    for (int i = 0; i < 5; ++i) CHECK(doc["rows"][i]["id"].GetInt64() == std::stoll(*newest[i][0]));

    doc = parse(http_get(server.port(), "/analytics/fuel-fills/recent?limit=500"));
    CHECK(doc["rows"].GetArray().Size() == 149);
    std::set<std::string> flags_of_25;
    for (const auto& r : doc["rows"].GetArray()) {
        CHECK(r["id"].GetInt64() != 3);
        if (r["id"].GetInt64() == 25)
            for (const auto& f : r["flags"].GetArray()) flags_of_25.insert(f.GetString());
    }
    CHECK(flags_of_25.count("price_mismatch") == 1);
    CHECK(
        parse(http_get(server.port(), "/analytics/fuel-fills/recent"))["rows"].GetArray().Size() ==
        50);
}

TEST_CASE("filters lists the departments, the plates and the date range of live fills",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    const auto doc = parse(http_get(server.port(), "/analytics/filters"));
    std::vector<std::string> departments;
    for (const auto& d : doc["departments"].GetArray()) departments.emplace_back(d.GetString());
    CHECK(departments == std::vector<std::string>{"Field Ops", "Logistics", "Sales", "Unassigned"});
    CHECK(doc["vehicles"].GetArray().Size() == 6);
    CHECK(std::string(doc["date_range"]["to"].GetString()) ==
          s.scalar("SELECT max(fill_date)::text FROM fuel.records WHERE deleted_at IS NULL"));
    CHECK(std::string(doc["date_range"]["from"].GetString()) ==
          s.scalar("SELECT min(fill_date)::text FROM fuel.records WHERE deleted_at IS NULL"));
}

TEST_CASE("invalid analytics parameters get 400 naming the parameter", "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/analytics/fuel-fills?period=14d", "period"},
        {"/analytics/fuel-fills?period=7d&from=2024-01-01&to=2024-01-31", "period"},
        {"/analytics/fuel-fills?from=2024-01-01", "to"},
        {"/analytics/fuel-fills?to=2024-01-01", "from"},
        {"/analytics/fuel-fills?from=2024-02-30&to=2024-03-01", "from"},
        {"/analytics/fuel-fills?from=2024-03-01&to=2024-02-01", "to"},
        {"/analytics/fuel-fills?from=2024-01-01&to=2024-01-0%ZZ", "to"},
        {"/analytics/fuel-fills/recent?limit=0", "limit"},
        {"/analytics/fuel-fills/recent?limit=501", "limit"},
        {"/analytics/fuel-fills/recent?limit=ten", "limit"},
    };
    for (const auto& [target, parameter] : cases) {
        INFO(target);
        const auto reply = http_get(server.port(), target);
        CHECK(reply.status == 400);
        CHECK(reply.content_type == "application/json");
        CHECK(error_parameter(reply) == parameter);
    }
}

TEST_CASE("with a token the analytics endpoints answer 401 unless the bearer token matches",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db, "s3cret-token");
    for (const std::string target :
         {"/analytics/fuel-fills", "/analytics/fuel-fills/recent", "/analytics/filters"}) {
        INFO(target);
        CHECK(http_get(server.port(), target).status == 401);
        CHECK(http_get(server.port(), target, "s3cret-tokeX").status == 401);
        CHECK(http_get(server.port(), target, "s3cret-token-longer").status == 401);
        CHECK(http_get(server.port(), target, "s3cret-token").status == 200);
    }
    const auto page = http_get(server.port(), "/");
    CHECK(page.status == 200);
    CHECK(page.content_type == "text/html; charset=utf-8");
    CHECK(page.body.find("Fuel Log") != std::string::npos);
}
