// A vehicle's story (/analytics/fuel-fills/efficiency) and what needs attention
// (/analytics/fuel-fills/attention) against the seeded database, checked with independent SQL.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

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

std::string today(fftest::PgSession& s, int minus_days = 0) {
    return s.scalar("SELECT ((now() AT TIME ZONE 'Africa/Nairobi')::date - $1::int)::text",
                    {std::to_string(minus_days)});
}

long long count(fftest::PgSession& s, const std::string& sql,
                const std::vector<std::optional<std::string>>& params = {}) {
    return std::stoll(s.scalar(sql, params));
}

std::string str(const rapidjson::Value& v) {
    return v.IsNull() ? "<null>" : v.GetString();
}

// The items of one reason: id (or plate, for a plate item) -> the item.
std::map<std::string, const rapidjson::Value*> items_of(const rapidjson::Document& doc,
                                                        const std::string& reason) {
    std::map<std::string, const rapidjson::Value*> out;
    for (const auto& item : doc["items"].GetArray()) {
        if (str(item["reason"]) != reason) continue;
        const auto key =
            item["id"].IsNull() ? str(item["vehicle_reg"]) : std::to_string(item["id"].GetInt64());
        out[key] = &item;
    }
    return out;
}

std::string error_parameter(const HttpReply& reply) {
    rapidjson::Document doc;
    doc.Parse(reply.body.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("parameter") ||
        !doc.HasMember("error") || std::string(doc["error"].GetString()).empty())
        return "<no json error>";
    return doc["parameter"].GetString();
}

}  // namespace

TEST_CASE("a vehicle's efficiency lists its fills of the period with km/l and why not plausible",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();

    // KDE555E carries the odometer typo (fill 77) and no tracker matches it.
    auto doc = parse(
        http_get(server.port(), "/analytics/fuel-fills/efficiency?period=365d&vehicle=kde-555e"));
    const auto& vehicle = doc["vehicle"];
    CHECK(str(vehicle["vehicle_reg"]) == "KDE555E");
    CHECK_FALSE(vehicle["matched"].GetBool());
    CHECK(vehicle["imei"].IsNull());
    const auto& rows = doc["rows"].GetArray();
    CHECK(static_cast<long long>(rows.Size()) ==
          count(s,
                "SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL AND"
                " vehicle_reg = 'KDE555E' AND fill_date >= $1::date",
                {today(s, 364)}));
    CHECK(doc["totals"]["fills"].GetInt64() == static_cast<long long>(rows.Size()));
    std::string previous_date;
    int implausible = 0;
    for (const auto& r : rows) {
        CHECK(str(r["fill_date"]) >= previous_date);  // the story reads forwards
        previous_date = str(r["fill_date"]);
        if (r["plausible"].IsBool() && !r["plausible"].GetBool()) {
            ++implausible;
            CHECK_FALSE(r["implausible_reason"].IsNull());
        }
        if (r["id"].GetInt64() == 77) {
            CHECK(r["odometer_km"].GetInt64() == 100);
            CHECK(str(r["implausible_reason"]) == "odometer_backwards");
            CHECK(r["distance_km"].GetInt64() < 0);
        }
    }
    CHECK(implausible >= 2);  // the typo, and the fill after it measured from it
    CHECK(doc["totals"]["implausible"].GetInt64() == implausible);

    // KDA123A is a tracker's plate: its identity comes with the story.
    doc = parse(
        http_get(server.port(), "/analytics/fuel-fills/efficiency?period=90d&vehicle=KDA123A"));
    CHECK(doc["vehicle"]["matched"].GetBool());
    CHECK(str(doc["vehicle"]["imei"]) == "860000000000001");
    CHECK(str(doc["vehicle"]["device_name"]) == "GT06-1");
    CHECK(str(doc["vehicle"]["vehicle_name"]) == "Truck 1");
    // The period's first fill is measured from the reading before the period.
    REQUIRE(doc["rows"].GetArray().Size() > 0);
    CHECK_FALSE(doc["rows"][0]["prev_odometer_km"].IsNull());
    CHECK(doc["totals"]["km"].GetInt64() ==
          count(s,
                "SELECT sum(distance_km) FROM reporting.v_fuel_efficiency WHERE plausible AND "
                "vehicle_reg = 'KDA123A' AND fill_date >= $1::date",
                {today(s, 89)}));
}

TEST_CASE("a vehicle's efficiency needs the vehicle and checks the period like the others",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    for (const auto& [target, parameter] : std::vector<std::pair<std::string, std::string>>{
             {"/analytics/fuel-fills/efficiency", "vehicle"},
             {"/analytics/fuel-fills/efficiency?vehicle=", "vehicle"},
             {"/analytics/fuel-fills/efficiency?vehicle=KDA123A&period=14d", "period"},
             {"/analytics/fuel-fills/efficiency?vehicle=KDA123A&from=2026-02-30&to=2026-03-01",
              "from"},
             {"/analytics/fuel-fills/efficiency?vehicle=%FF", "query:vehicle"}}) {
        INFO(target);
        const auto reply = http_get(server.port(), target);
        CHECK(reply.status == 400);
        const auto expected = parameter.starts_with("query:") ? parameter.substr(6) : parameter;
        CHECK(error_parameter(reply) == expected);
    }
    // A plate nobody has: an empty story, not an error.
    const auto doc =
        parse(http_get(server.port(), "/analytics/fuel-fills/efficiency?vehicle=ZZZ1"));
    CHECK(doc["rows"].GetArray().Size() == 0);
    CHECK(doc["totals"]["fills"].GetInt64() == 0);
}

TEST_CASE("attention lists each fill or plate with its reason, and counts them in totals",
          "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    auto& s = db.session();
    const auto doc = parse(http_get(server.port(), "/analytics/fuel-fills/attention?period=365d"));
    const auto from = today(s, 364);

    // Every item says why; totals count every reason and add up.
    long long listed = 0;
    std::map<std::string, long long> per_reason;
    for (const auto& item : doc["items"].GetArray()) {
        CHECK_FALSE(str(item["detail"]).empty());
        ++per_reason[str(item["reason"])];
        ++listed;
    }
    const auto& totals = doc["totals"];
    CHECK(totals["items"].GetInt64() == listed);  // under the default limit
    for (const auto& [reason, n] : per_reason) {
        INFO(reason);
        REQUIRE(totals.HasMember(reason.c_str()));
        CHECK(totals[reason.c_str()].GetInt64() == n);
    }

    // The flags that say the numbers disagree or were unreadable, as fuel.records has them.
    const auto flagged = [&](const char* flag) {
        return count(s,
                     "SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL AND"
                     " fill_date >= $1::date AND $2 = ANY(flags)",
                     {from, flag});
    };
    CHECK(totals["price_mismatch"].GetInt64() == flagged("price_mismatch"));
    CHECK(totals["unparseable_number"].GetInt64() == flagged("unparseable_number"));
    CHECK(items_of(doc, "unreadable_date").count("45") == 1);
    CHECK(totals["unreadable_date"].GetInt64() == 1);
    CHECK(totals["implausible_efficiency"].GetInt64() ==
          count(s,
                "SELECT count(*) FROM reporting.v_fuel_efficiency WHERE plausible = false AND"
                " fill_date >= $1::date",
                {from}));
    CHECK(items_of(doc, "implausible_efficiency").count("77") == 1);

    // Plates no tracker carries: one item each, with its number of fills.
    const auto unmatched = items_of(doc, "unmatched_plate");
    CHECK(unmatched.size() == 3);
    for (const char* plate : {"XYZ999", "KDD001D", "KDE555E"}) {
        INFO(plate);
        REQUIRE(unmatched.count(plate) == 1);
        CHECK((*unmatched.at(plate))["fills"].GetInt64() ==
              count(s,
                    "SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL AND"
                    " fill_date >= $1::date AND vehicle_reg = $2",
                    {from, plate}));
    }

    // One receipt on two fills, typed two ways: both listed, each pointing at the other.
    const auto reused = items_of(doc, "duplicate_receipt");
    REQUIRE(reused.size() == 2);
    CHECK((*reused.at("20"))["related_ids"][0].GetInt64() == 21);
    CHECK((*reused.at("21"))["related_ids"][0].GetInt64() == 20);
    CHECK(str((*reused.at("21"))["detail"]).find("20") != std::string::npos);

    // A second fill of KDA123A six hours after the first.
    const auto refills = items_of(doc, "quick_refill");
    REQUIRE(refills.size() == 1);
    REQUIRE(refills.count("12") == 1);
    CHECK((*refills.at("12"))["related_ids"][0].GetInt64() == 6);
    CHECK(str((*refills.at("12"))["vehicle_reg"]) == "KDA123A");
    CHECK(str((*refills.at("12"))["detail"]).starts_with("6 h 06 min after fill 6"));
}

TEST_CASE("attention takes the same filters, a refill window and a limit", "[analytics]") {
    SeededDatabase db;
    AnalyticsServer server(db);
    const auto attention = [&](const std::string& query) {
        return parse(http_get(server.port(), "/analytics/fuel-fills/attention?" + query));
    };

    // The vehicle filter keeps its items only; the receipt reused on another vehicle still counts.
    auto doc = attention("period=365d&vehicle=KCC%20789C");
    for (const auto& item : doc["items"].GetArray()) CHECK(str(item["vehicle_reg"]) == "KCC789C");
    CHECK(items_of(doc, "duplicate_receipt").count("20") == 1);
    CHECK(items_of(doc, "duplicate_receipt").count("21") == 0);

    doc = attention("period=365d&department=unassigned");
    for (const auto& item : doc["items"].GetArray()) CHECK(str(item["department"]) == "Unassigned");

    // The window: 6 h 06 min apart is a quick refill within 7 hours, not within 6.
    CHECK(attention("period=365d&refill_hours=7")["totals"]["quick_refill"].GetInt64() == 1);
    CHECK(attention("period=365d&refill_hours=6")["totals"]["quick_refill"].GetInt64() == 0);

    // The limit cuts the list, never the counts; newest first.
    const auto all = attention("period=365d");
    doc = attention("period=365d&limit=3");
    CHECK(doc["items"].GetArray().Size() == 3);
    CHECK(doc["totals"]["items"].GetInt64() == all["totals"]["items"].GetInt64());
    CHECK(str(doc["items"][0]["fill_date"]) >= str(doc["items"][2]["fill_date"]));

    // An empty period: nothing listed, every count zero.
    doc = attention("from=2001-01-01&to=2001-01-31");
    CHECK(doc["items"].GetArray().Size() == 0);
    CHECK(doc["totals"]["items"].GetInt64() == 0);
    CHECK(doc["totals"]["quick_refill"].GetInt64() == 0);

    for (const auto& [query, parameter] :
         std::vector<std::pair<std::string, std::string>>{{"limit=0", "limit"},
                                                          {"limit=1001", "limit"},
                                                          {"refill_hours=0", "refill_hours"},
                                                          {"refill_hours=week", "refill_hours"},
                                                          {"period=1y", "period"},
                                                          {"from=2026-01-01", "to"}}) {
        INFO(query);
        const auto reply = http_get(server.port(), "/analytics/fuel-fills/attention?" + query);
        CHECK(reply.status == 400);
        CHECK(error_parameter(reply) == parameter);
    }
}
