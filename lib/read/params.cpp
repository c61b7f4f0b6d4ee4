// Query-string decoding and the validation rules of the analytics parameters.
#include "read/params.hpp"

#include <charconv>
#include <chrono>

namespace ff::read {
namespace {

constexpr std::size_t kMaxTextParameter = 200;
constexpr int kMaxRangeDays = 3660;  // ten years of daily trend points is plenty

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

// A calendar date written exactly YYYY-MM-DD.
std::optional<std::chrono::sys_days> parse_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    auto num = [&s](std::size_t at, std::size_t len, auto& out) {
        const auto* first = s.data() + at;
        const auto r = std::from_chars(first, first + len, out);
        return r.ec == std::errc{} && r.ptr == first + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd};
}

const std::string* find(const QueryMap& q, std::string_view key) {
    const auto it = q.find(key);
    return it == q.end() ? nullptr : &it->second;
}

}  // namespace

std::variant<QueryMap, ParamError> parse_query(std::string_view query) {
    QueryMap out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto key = decode(pair.substr(0, eq));
        if (!key) return ParamError{"", "malformed percent-encoding in the query string"};
        auto value =
            decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!value) return ParamError{*key, "malformed percent-encoding"};
        out[std::move(*key)] = std::move(*value);
    }
    return out;
}

std::variant<FillsFilter, ParamError> parse_subject(const QueryMap& query) {
    FillsFilter f;
    for (const char* name : {"department", "vehicle"}) {
        const auto* v = find(query, name);
        if (!v || v->empty()) continue;
        if (v->size() > kMaxTextParameter)
            return ParamError{name, "must be at most 200 characters"};
        (std::string_view(name) == "department" ? f.department : f.vehicle) = *v;
    }
    return f;
}

std::variant<FillsFilter, ParamError> parse_fills_filter(const QueryMap& query) {
    auto subject = parse_subject(query);
    if (auto* e = std::get_if<ParamError>(&subject)) return *e;
    auto f = std::get<FillsFilter>(std::move(subject));

    const auto* period = find(query, "period");
    const auto* from = find(query, "from");
    const auto* to = find(query, "to");
    if (period && (from || to))
        return ParamError{"period", "give either period or from and to, not both"};
    if (from || to) {
        if (!from) return ParamError{"from", "from is required with to (YYYY-MM-DD)"};
        if (!to) return ParamError{"to", "to is required with from (YYYY-MM-DD)"};
        const auto a = parse_date(*from);
        if (!a) return ParamError{"from", "must be a date YYYY-MM-DD"};
        const auto b = parse_date(*to);
        if (!b) return ParamError{"to", "must be a date YYYY-MM-DD"};
        if (*b < *a) return ParamError{"to", "must not be before from"};
        if ((*b - *a).count() >= kMaxRangeDays)
            return ParamError{"from", "the range must be shorter than ten years"};
        f.from = *from;
        f.to = *to;
        return f;
    }
    const std::string p = period ? *period : "30d";
    if (p == "7d")
        f.period_days = 7;
    else if (p == "30d")
        f.period_days = 30;
    else if (p == "90d")
        f.period_days = 90;
    else if (p == "365d")
        f.period_days = 365;
    else
        return ParamError{"period", "must be one of 7d, 30d, 90d, 365d"};
    return f;
}

std::variant<int, ParamError> parse_limit(const QueryMap& query) {
    const auto* v = find(query, "limit");
    if (!v) return 50;
    int n = 0;
    const auto r = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || r.ec != std::errc{} || r.ptr != v->data() + v->size() || n < 1 || n > 500)
        return ParamError{"limit", "must be an integer from 1 to 500"};
    return n;
}

}  // namespace ff::read
