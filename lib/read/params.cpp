// Query-string decoding and the validation rules of the analytics parameters.
#include "read/params.hpp"

#include <algorithm>
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

// Well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF), as
// PostgreSQL's UTF8 encoding requires of every text parameter.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;  // cut short
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
        }
        i += n + 1;
    }
    return true;
}

// NUL would cut the value short in libpq; the other C0 controls and DEL belong in no filter.
bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A calendar date written exactly YYYY-MM-DD, in years 1 to 9999 (what PostgreSQL's date reads
// back the same way; year 0 and negative years do not exist in it).
std::optional<std::chrono::sys_days> parse_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    if (!all_digits(s.substr(0, 4)) || !all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2)))
        return std::nullopt;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    auto num = [&s](std::size_t at, std::size_t len, auto& out) {
        const auto* first = s.data() + at;
        const auto r = std::from_chars(first, first + len, out);
        return r.ec == std::errc{} && r.ptr == first + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d) || y < 1) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd};
}

// A decimal integer in [min, max], digits only.
std::optional<int> parse_int(const std::string& v, int min, int max) {
    int n = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (!all_digits(v) || r.ec != std::errc{} || r.ptr != v.data() + v.size() || n < min || n > max)
        return std::nullopt;
    return n;
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
        // The name goes back to the client in a JSON error: only valid text may.
        if (!valid_utf8(*key) || has_control(*key))
            return ParamError{"", "a parameter name is not valid UTF-8 text"};
        auto value =
            decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!value) return ParamError{*key, "malformed percent-encoding"};
        if (!valid_utf8(*value)) return ParamError{*key, "must be valid UTF-8"};
        if (has_control(*value)) return ParamError{*key, "must not contain control characters"};
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

std::variant<int, ParamError> parse_limit(const QueryMap& query, int fallback, int max) {
    const auto* v = find(query, "limit");
    if (!v) return fallback;
    const auto n = parse_int(*v, 1, max);
    if (!n) return ParamError{"limit", "must be an integer from 1 to " + std::to_string(max)};
    return *n;
}

std::variant<AttentionQuery, ParamError> parse_attention(const QueryMap& query) {
    auto filter = parse_fills_filter(query);
    if (auto* e = std::get_if<ParamError>(&filter)) return *e;
    AttentionQuery a;
    a.filter = std::get<FillsFilter>(std::move(filter));
    const auto limit = parse_limit(query, 200, 1000);
    if (auto* e = std::get_if<ParamError>(&limit)) return *e;
    a.limit = std::get<int>(limit);
    if (const auto* v = find(query, "refill_hours")) {
        const auto hours = parse_int(*v, 1, 168);
        if (!hours) return ParamError{"refill_hours", "must be an integer from 1 to 168 (hours)"};
        a.refill_hours = *hours;
    }
    return a;
}

std::variant<FillsFilter, ParamError> parse_vehicle_filter(const QueryMap& query) {
    auto filter = parse_fills_filter(query);
    if (auto* e = std::get_if<ParamError>(&filter)) return *e;
    if (!std::get<FillsFilter>(filter).vehicle)
        return ParamError{"vehicle", "is required: the plate whose fills to show"};
    return filter;
}

}  // namespace ff::read
