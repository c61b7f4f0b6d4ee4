// Query-string parsing and validation for the analytics endpoints; pure, so unit-testable.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ff::read {

// What a 400 names: {"error": message, "parameter": parameter}.
struct ParamError {
    std::string parameter;
    std::string message;
};

using QueryMap = std::map<std::string, std::string, std::less<>>;

// Splits a=b&c=d, decoding %XX and '+'. A later duplicate wins. Bad %-escapes are an error.
std::variant<QueryMap, ParamError> parse_query(std::string_view query);

// The filter of /analytics/fuel-fills. Either period_days or from/to is set, never both.
struct FillsFilter {
    std::optional<int> period_days;         // 7, 30, 90 or 365: a range ending today in Nairobi
    std::optional<std::string> from;        // YYYY-MM-DD, inclusive
    std::optional<std::string> to;          // YYYY-MM-DD, inclusive
    std::optional<std::string> department;  // "Unassigned" selects fills without one
    std::optional<std::string> vehicle;     // as typed; normalised with fuel.plate() in SQL
};

std::variant<FillsFilter, ParamError> parse_fills_filter(const QueryMap& query);

// limit=1..max (default `fallback`): /analytics/fuel-fills/recent (50, at most 500) and
// /attention (200, at most 1000).
std::variant<int, ParamError> parse_limit(const QueryMap& query, int fallback = 50, int max = 500);

// /analytics/fuel-fills/attention: the fills filter, how many items to list, and how close two
// fills of one vehicle must be to count as a quick refill.
struct AttentionQuery {
    FillsFilter filter;
    int limit = 200;        // limit=1..1000
    int refill_hours = 12;  // refill_hours=1..168
};
std::variant<AttentionQuery, ParamError> parse_attention(const QueryMap& query);

// /analytics/fuel-fills/efficiency: the fills filter with vehicle= required.
std::variant<FillsFilter, ParamError> parse_vehicle_filter(const QueryMap& query);

// Optional department= and vehicle= (empty means absent), shared by fills and recent.
std::variant<FillsFilter, ParamError> parse_subject(const QueryMap& query);

}  // namespace ff::read
