// Date and timestamp reading of fuel.normalise: parse_timestamptz, parse_date and the Nairobi
// date of a report, exact or declined.
#include "parse/typed_dates.hpp"

#include <algorithm>
#include <cstddef>

#include "parse/typed_text.hpp"

namespace ff::parse::detail {
namespace {

// norm_date: year 1..9999 and a day the calendar has.
bool calendar_day(int y, int m, int d) {
    static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

// Reads n..max digits (greedy) at i; false when fewer than n.
bool digits(std::string_view s, std::size_t& i, int n, int max, int& v) {
    int k = 0;
    v = 0;
    while (k < max && i < s.size() && is_digit(s[i])) v = v * 10 + (s[i++] - '0'), ++k;
    return k >= n;
}

bool literal(std::string_view s, std::size_t& i, char c) {
    if (i >= s.size() || s[i] != c) return false;
    ++i;
    return true;
}

// Written's pattern, over the whole of s.
bool match_timestamp(std::string_view s, Written& w) {
    std::size_t i = 0;
    if (!digits(s, i, 4, 4, w.y) || !literal(s, i, '-') || !digits(s, i, 1, 2, w.mo) ||
        !literal(s, i, '-') || !digits(s, i, 1, 2, w.d))
        return false;
    if (i == s.size()) return true;
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
    for (++i; i < s.size() && s[i] == ' ';) ++i;
    if (!digits(s, i, 1, 2, w.hh) || !literal(s, i, ':') || !digits(s, i, 2, 2, w.mi)) return false;
    if (literal(s, i, ':')) {
        if (!digits(s, i, 2, 2, w.ss)) return false;
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            const std::size_t from = ++i;
            while (i < s.size() && is_digit(s[i])) ++i;
            if (i == from) return false;
            w.frac = s.substr(from, i - from);
        }
    }
    while (i < s.size() && s[i] == ' ') ++i;
    const std::string_view zone = s.substr(i);
    if (zone.empty()) return true;
    w.oh = 0;
    if (zone == "Z" || zone == "z" || zone == "UTC" || zone == "GMT") return true;
    if (zone[0] != '+' && zone[0] != '-') return false;
    w.east = zone[0] == '+';
    i = 1;
    if (!digits(zone, i, 2, 2, w.oh)) return false;
    if (i < zone.size()) {
        literal(zone, i, ':');
        if (!digits(zone, i, 2, 2, w.om)) return false;
    }
    return i == zone.size();
}

void put(std::string& out, int v, int width) {
    char buf[8];
    for (int k = width - 1; k >= 0; --k, v /= 10) buf[k] = static_cast<char>('0' + v % 10);
    out.append(buf, static_cast<std::size_t>(width));
}

std::string date_text(int y, int m, int d) {
    std::string out;
    put(out, y, 4);
    out += '-';
    put(out, m, 2);
    out += '-';
    put(out, d, 2);
    return out;
}

// Howard Hinnant's days_from_civil / civil_from_days.
long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + static_cast<long long>(yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
}

void civil_from_days(long long z, long long& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<long long>(yoe) + era * 400 + (m <= 2);
}

// '^[0-9]{1,2}<sep>[0-9]{1,2}<sep>[0-9]{4}$', day first.
bool day_first(std::string_view s, char sep, int& y, int& m, int& d) {
    std::size_t i = 0;
    return digits(s, i, 1, 2, d) && literal(s, i, sep) && digits(s, i, 1, 2, m) &&
           literal(s, i, sep) && digits(s, i, 4, 4, y) && i == s.size();
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

TimestampRead read_timestamp(std::optional<std::string_view> t, Written& w) {
    if (!t) return TimestampRead::null_value;
    const std::string_view s = btrim(*t);
    if (s.size() < 5 || !std::all_of(s.begin(), s.begin() + 4, is_digit) || s[4] != '-')
        return TimestampRead::null_value;
    if (!match_timestamp(s, w)) return TimestampRead::decline;
    if (s.size() > 64 || !calendar_day(w.y, w.mo, w.d)) return TimestampRead::null_value;
    if (w.oh > 15 || w.om > 59 || w.hh > 23 || w.mi > 59 || w.ss > 59)
        return TimestampRead::null_value;
    return TimestampRead::value;
}

std::string timestamp_text(const Written& w) {
    std::string out = date_text(w.y, w.mo, w.d);
    out += ' ';
    put(out, w.hh, 2);
    out += ':';
    put(out, w.mi, 2);
    out += ':';
    put(out, w.ss, 2);
    if (!w.frac.empty()) {  // cut to microseconds, not rounded
        std::string micros(w.frac.substr(0, 6));
        micros.resize(6, '0');
        out += '.';
        out += micros;
    }
    out += w.east ? '+' : '-';
    put(out, w.oh, 2);
    out += ':';
    put(out, w.om, 2);
    return out;
}

bool nairobi_date(const Written& w, std::string& out) {
    const long long offset = (w.oh * 60 + w.om) * (w.east ? 1 : -1);
    const long long minutes =
        days_from_civil(w.y, static_cast<unsigned>(w.mo), static_cast<unsigned>(w.d)) * 1440 +
        w.hh * 60 + w.mi - offset + 180;
    const long long day = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
    long long y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(day, y, m, d);
    if (y < 1 || y > 9999) return false;
    out = date_text(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d));
    return true;
}

DateRead read_fill_date(std::optional<std::string_view> t, std::string& out) {
    if (!t) return DateRead::blank;
    const std::string_view c = btrim(*t);
    if (c.empty()) return DateRead::blank;
    if (!is_digit(c[0]) || utf8_length(c) > 64) return DateRead::unreadable;
    int y = 0, m = 0, d = 0;
    Written w;
    if (day_first(c, '/', y, m, d) || day_first(c, '-', y, m, d)) {
    } else if (match_timestamp(c, w)) {
        y = w.y, m = w.mo, d = w.d;
    } else {
        return DateRead::decline;  // parse_date's NULL, but not worth being clever about
    }
    if (!calendar_day(y, m, d)) return DateRead::unreadable;
    out = date_text(y, m, d);
    return DateRead::date;
}

}  // namespace ff::parse::detail
