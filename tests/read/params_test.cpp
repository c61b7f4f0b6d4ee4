// Analytics parameters without a database: every value is checked before it could reach one.
#include "read/params.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "db/connection.hpp"
#include "http/server.hpp"
#include "metrics/fleet_metrics.hpp"
#include "read/query_runner.hpp"

using namespace ff::read;

namespace {

// The parameter a query string is refused for, or "" when it is accepted.
std::string refused_parameter(const std::string& query) {
    auto map = parse_query(query);
    if (auto* e = std::get_if<ParamError>(&map)) return "query:" + e->parameter;
    auto filter = parse_fills_filter(std::get<QueryMap>(map));
    if (auto* e = std::get_if<ParamError>(&filter)) return e->parameter;
    return "";
}

}  // namespace

TEST_CASE("dates are YYYY-MM-DD in years 1 to 9999, nothing PostgreSQL would refuse", "[read]") {
    CHECK(refused_parameter("from=2024-01-01&to=2024-01-31").empty());
    CHECK(refused_parameter("from=0001-01-01&to=0001-12-31").empty());
    CHECK(refused_parameter("from=9999-01-01&to=9999-12-31").empty());
    CHECK(refused_parameter("from=0000-01-01&to=0000-01-02") == "from");
    CHECK(refused_parameter("from=-001-01-01&to=-001-01-02") == "from");
    CHECK(refused_parameter("from=2024-01-01&to=+024-01-02") == "to");
    CHECK(refused_parameter("from=10000-01-01&to=10000-01-02") == "from");
    CHECK(refused_parameter("from=2024-1-01&to=2024-01-02") == "from");
    CHECK(refused_parameter("from=2024-01-01&to=2024-01- 2") == "to");
}

TEST_CASE("text parameters must be valid UTF-8 without control characters once decoded", "[read]") {
    CHECK(refused_parameter("department=K%C4%81mau%20Ops").empty());  // "Kāmau Ops"
    CHECK(refused_parameter("vehicle=%F0%9F%9A%9A").empty());         // a truck emoji
    CHECK(refused_parameter("department=%C3%28") == "query:department");
    CHECK(refused_parameter("department=%FF") == "query:department");
    CHECK(refused_parameter("vehicle=%C0%AF") == "query:vehicle");        // overlong "/"
    CHECK(refused_parameter("vehicle=%ED%A0%80") == "query:vehicle");     // a surrogate
    CHECK(refused_parameter("vehicle=%F4%90%80%80") == "query:vehicle");  // past U+10FFFF
    CHECK(refused_parameter("vehicle=%E2%82") == "query:vehicle");        // cut short
    CHECK(refused_parameter("department=a%00b") == "query:department");   // NUL
    CHECK(refused_parameter("department=a%0Ab") == "query:department");   // newline
    CHECK(refused_parameter("%FF=1") == "query:");  // a name that cannot be echoed as JSON
}

TEST_CASE("database errors caused by input are 400, cancelled ones 504, outages 503", "[read]") {
    const auto status = [](const char* sqlstate, bool lost = false) {
        return status_for(ff::db::DbError("x", sqlstate, lost));
    };
    CHECK(status("22008") == 400);  // datetime field overflow
    CHECK(status("22021") == 400);  // invalid byte sequence for encoding
    CHECK(status("22P02") == 400);  // invalid text representation
    CHECK(status("57014") == 504);
    CHECK(status("42501") == 500);  // the reader role lacks a grant
    CHECK(status("57P01", true) == 503);
    CHECK(status("", true) == 503);
}

TEST_CASE("every refusal reason the server and the read side use is a pre-declared series",
          "[read]") {
    namespace http = ff::http;
    const auto& known = ff::metrics::kHttpRefusedReasons;
    for (const auto reason :
         {http::kRefusedConnectionLimit, http::kRefusedClientLimit, http::kRefusedEvicted,
          http::kRefusedHeaderTimeout, http::kRefusedMalformed, http::kRefusedTooLarge,
          http::kRefusedBusy, kRefusedAnalyticsQueueFull, kRefusedAnalyticsTimeout}) {
        INFO(reason);
        CHECK(std::find(known.begin(), known.end(), reason) != known.end());
    }
}

TEST_CASE("the attention list takes the fills filter, a limit and the refill window", "[read]") {
    const auto parse = [](const std::string& query) {
        return parse_attention(std::get<QueryMap>(parse_query(query)));
    };
    const auto refused = [&](const std::string& query) {
        auto a = parse(query);
        auto* e = std::get_if<ParamError>(&a);
        return e ? e->parameter : std::string();
    };
    const auto defaults = std::get<AttentionQuery>(parse(""));
    CHECK(defaults.limit == 200);
    CHECK(defaults.refill_hours == 12);
    CHECK(defaults.filter.period_days == 30);
    const auto chosen = std::get<AttentionQuery>(parse("period=90d&limit=1000&refill_hours=168"));
    CHECK(chosen.limit == 1000);
    CHECK(chosen.refill_hours == 168);
    CHECK(chosen.filter.period_days == 90);
    CHECK(refused("limit=1001") == "limit");
    CHECK(refused("limit=0") == "limit");
    CHECK(refused("refill_hours=0") == "refill_hours");
    CHECK(refused("refill_hours=169") == "refill_hours");
    CHECK(refused("refill_hours=+5") == "refill_hours");
    CHECK(refused("refill_hours=1.5") == "refill_hours");
    CHECK(refused("period=14d") == "period");
}

TEST_CASE("a vehicle's efficiency needs the vehicle", "[read]") {
    const auto parse = [](const std::string& query) {
        return parse_vehicle_filter(std::get<QueryMap>(parse_query(query)));
    };
    auto missing = parse("period=90d");
    REQUIRE(std::holds_alternative<ParamError>(missing));
    CHECK(std::get<ParamError>(missing).parameter == "vehicle");
    CHECK(std::holds_alternative<ParamError>(parse("vehicle=")));  // empty is absent
    CHECK(*std::get<FillsFilter>(parse("vehicle=kda-123a&from=2026-01-01&to=2026-01-31")).vehicle ==
          "kda-123a");
}
