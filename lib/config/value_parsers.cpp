// Parsers for configuration value types; messages quote the offending text so the operator sees it.
#include "config/value_parsers.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace ff::config {
namespace {

std::string quoted(std::string_view text) {
    // Built by appending: GCC 12's -Wrestrict misfires on `"\"" + std::string(...)` at -O3.
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    out += text;
    out += '"';
    return out;
}

[[noreturn]] void fail(const std::string& reason) {
    throw std::invalid_argument(reason);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Splits "123unit" into its leading digits and the rest; fails unless there is at least one digit.
std::pair<std::uint64_t, std::string_view> split_number(std::string_view text,
                                                        const std::string& what) {
    if (!text.empty() && text.front() == '-') fail("must not be negative: " + quoted(text));
    std::size_t n = 0;
    while (n < text.size() && is_digit(text[n])) ++n;
    if (n == 0) fail("not " + what + ": " + quoted(text));
    std::uint64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, value);
    if (ec == std::errc::result_out_of_range) fail("too large: " + quoted(text));
    (void)ptr;
    return {value, text.substr(n)};
}

std::uint16_t parse_port(std::string_view port, std::string_view whole) {
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit))
        fail("bad port: " + quoted(whole));
    const unsigned value = static_cast<unsigned>(std::stoul(std::string(port)));
    if (value > 65535) fail("bad port: " + quoted(whole));
    return static_cast<std::uint16_t>(value);
}

// Splits "host:port" / "[v6]:port" / "host" into host (brackets removed) and the port text.
std::pair<std::string, std::string_view> split_host_port(std::string_view authority,
                                                         std::string_view whole, bool& has_port) {
    std::string host;
    std::string_view rest;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) fail("bad IPv6 address: " + quoted(whole));
        host = std::string(authority.substr(1, close - 1));
        rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') fail("bad IPv6 address: " + quoted(whole));
    } else {
        const auto colon = authority.rfind(':');
        host = std::string(authority.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon);
    }
    has_port = !rest.empty();
    return {host, has_port ? rest.substr(1) : rest};
}

}  // namespace

// One or more <integer><unit> terms ("90s", "1h30m", "2m30s500ms"), summed; a bare integer alone
// means seconds. Units are letters, so "1.5h" and "10 s" fail on the unit, quoting what follows.
Millis parse_duration(std::string_view text) {
    const std::string what = "a duration (use an integer with ms, s, m or h)";
    // A year is far beyond any sensible interval and keeps timer arithmetic away from overflow.
    constexpr std::uint64_t kMaxMillis = 8760ull * 3'600'000;
    const auto too_large = [&] { fail("too large: " + quoted(text) + " (at most 8760h)"); };
    std::uint64_t total = 0;
    std::string_view rest = text;
    do {
        if (rest.size() != text.size() && !is_digit(rest.front()))  // "1h 30m": a space, say
            fail("unknown unit \"" + std::string(rest) + "\" in " + quoted(text) +
                 " (use ms, s, m or h)");
        const auto [count, after] = split_number(rest, what);
        std::size_t letters = 0;
        while (letters < after.size() && std::isalpha(static_cast<unsigned char>(after[letters])))
            ++letters;
        const std::string_view unit = after.substr(0, letters);
        std::uint64_t per_unit = 0;
        if (unit.empty() && after.empty() && rest.size() == text.size())
            per_unit = 1000;  // a bare integer
        else if (unit.empty() && after.empty())
            fail("missing unit after \"" + std::string(rest) + "\" in " + quoted(text) +
                 " (use ms, s, m or h)");
        else if (unit == "ms")
            per_unit = 1;
        else if (unit == "s")
            per_unit = 1000;
        else if (unit == "m")
            per_unit = 60'000;
        else if (unit == "h")
            per_unit = 3'600'000;
        else
            fail("unknown unit \"" + std::string(unit.empty() ? after : unit) + "\" in " +
                 quoted(text) + " (use ms, s, m or h)");
        if (count > kMaxMillis / per_unit) too_large();
        total += count * per_unit;
        if (total > kMaxMillis) too_large();
        rest = after.substr(letters);
    } while (!rest.empty());
    if (total == 0) fail("must be greater than zero: " + quoted(text));
    return Millis(static_cast<Millis::rep>(total));
}

bool parse_bool(std::string_view text) {
    for (const auto* yes : {"true", "1", "on", "yes"})
        if (iequals(text, yes)) return true;
    for (const auto* no : {"false", "0", "off", "no"})
        if (iequals(text, no)) return false;
    fail("not a boolean: " + quoted(text) + " (use true/false, 1/0, on/off or yes/no)");
}

double parse_fraction(std::string_view text) {
    const std::string what = "a fraction (use 0.10 or 10%)";
    std::string_view number = text;
    const bool percent = !number.empty() && number.back() == '%';
    if (percent) number.remove_suffix(1);
    if (!number.empty() && number.front() == '-') fail("must not be negative: " + quoted(text));
    // Digits with at most one dot; from_chars alone would also accept "inf", "nan" and exponents.
    const auto dots = std::count(number.begin(), number.end(), '.');
    const auto digits = std::count_if(number.begin(), number.end(), is_digit);
    if (digits == 0 || dots > 1 || digits + dots != static_cast<long>(number.size()))
        fail("not " + what + ": " + quoted(text));
    double value = 0;
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || ptr != number.data() + number.size())
        fail("not " + what + ": " + quoted(text));
    if (percent) value /= 100.0;
    if (value > 1.0) fail("must be between 0 and 1 (or 0% and 100%): " + quoted(text));
    return value;
}

std::int64_t parse_integer(std::string_view text, std::int64_t min, std::int64_t max) {
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) fail("too large: " + quoted(text));
    if (ec != std::errc() || ptr != text.data() + text.size() || text.empty())
        fail("not an integer: " + quoted(text));
    if (value < min || value > max)
        fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ": " +
             quoted(text));
    return value;
}

std::uint64_t parse_bytes(std::string_view text) {
    const std::string what = "a size (use an integer with B, KB, MB, GB, KiB, MiB or GiB)";
    const auto [count, unit] = split_number(text, what);
    struct Unit {
        const char* name;
        std::uint64_t size;
    };
    static constexpr Unit kUnits[] = {
        {"", 1},
        {"b", 1},
        {"kb", 1000ull},
        {"mb", 1000'000ull},
        {"gb", 1000'000'000ull},
        {"tb", 1000'000'000'000ull},
        {"kib", 1ull << 10},
        {"mib", 1ull << 20},
        {"gib", 1ull << 30},
        {"tib", 1ull << 40},
    };
    const auto* match =
        std::find_if(std::begin(kUnits), std::end(kUnits),
                     [&, unit_ = unit](const Unit& u) { return iequals(unit_, u.name); });
    if (match == std::end(kUnits))
        fail("unknown unit \"" + std::string(unit) + "\" in " + quoted(text) +
             " (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
    if (count > std::numeric_limits<std::uint64_t>::max() / match->size)
        fail("too large: " + quoted(text));
    if (count == 0) fail("must be greater than zero: " + quoted(text));
    return count * match->size;
}

std::string parse_choice(std::string_view text, const std::vector<std::string_view>& choices) {
    for (const auto choice : choices)
        if (iequals(text, choice)) return std::string(choice);
    std::string list;
    for (const auto choice : choices) list += (list.empty() ? "" : ", ") + std::string(choice);
    fail("must be one of " + list + ": " + quoted(text));
}

Endpoint parse_endpoint(std::string_view text) {
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) fail("not a URL: " + quoted(text));
    Endpoint endpoint;
    const auto scheme = text.substr(0, scheme_end);
    if (iequals(scheme, "https"))
        endpoint.tls = true;
    else if (!iequals(scheme, "http"))
        fail("unsupported scheme \"" + std::string(scheme) +
             "\" (use http or https): " + quoted(text));
    auto authority = text.substr(scheme_end + 3);
    // Credentials in the URL would leak into logs and errors; they belong in their own variables.
    if (authority.find('@') != std::string_view::npos)
        fail("must not contain credentials (use RUSTFS_ACCESS_KEY and RUSTFS_SECRET_KEY)");
    if (authority.ends_with('/')) authority.remove_suffix(1);
    if (authority.find_first_of("/?#") != std::string_view::npos)
        fail("must not have a path, query or fragment (the bucket is FUEL_BUCKET): " +
             quoted(text));
    bool has_port = false;
    auto [host, port] = split_host_port(authority, text, has_port);
    if (host.empty()) fail("no host: " + quoted(text));
    endpoint.host = std::move(host);
    endpoint.port = has_port ? parse_port(port, text) : (endpoint.tls ? 443 : 80);
    if (has_port && endpoint.port == 0) fail("bad port: " + quoted(text));
    return endpoint;
}

ListenAddress parse_listen(std::string_view text) {
    bool has_port = false;
    auto [host, port] = split_host_port(text, text, has_port);
    // ":8080" is how Go servers and many compose files write "every interface".
    const bool any_host = host.empty() && text.starts_with(':');
    if (!has_port || (host.empty() && !any_host) ||
        host.find_first_of("/@ \t") != std::string::npos)
        fail("not host:port: " + quoted(text));
    return {any_host ? std::string(kAnyHost) : std::move(host), parse_port(port, text)};
}

std::string parse_identifier(std::string_view text) {
    const auto ok_first = [](char c) {
        return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
    };
    const auto ok_rest = [&](char c) { return ok_first(c) || is_digit(c); };
    if (text.empty() || text.size() > 63 || !ok_first(text.front()) ||
        !std::all_of(text.begin() + 1, text.end(), ok_rest))
        fail("not a plain PostgreSQL role name (letters, digits and _, at most 63): " +
             quoted(text));
    return std::string(text);
}

std::vector<std::string> parse_origins(std::string_view text) {
    std::vector<std::string> out;
    std::string_view rest = text;
    for (;;) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (item.empty()) fail("an empty origin in " + quoted(text));
        if (item == "*" || item == "null")
            fail("list each origin (https://ops.example.com); " + quoted(item) +
                 " is not accepted");
        if (item.ends_with('/') && item.find("://") + 3 < item.size() - 1)
            item.remove_suffix(1);  // "https://a.example/" as copied from the address bar
        const auto scheme_end = item.find("://");
        const auto authority =
            scheme_end == std::string_view::npos ? item : item.substr(scheme_end + 3);
        if (authority.find('@') != std::string_view::npos ||
            authority.find_first_of("/?#") != std::string_view::npos)
            fail("an origin is scheme://host[:port], without a path or credentials: " +
                 quoted(item));
        const Endpoint e = parse_endpoint(item);
        std::string origin = e.tls ? "https://" : "http://";
        const bool v6 = e.host.find(':') != std::string::npos;
        if (v6) origin += '[';
        for (const char c : e.host)
            origin += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (v6) origin += ']';
        if (e.port != (e.tls ? 443 : 80)) origin += ":" + std::to_string(e.port);
        if (std::find(out.begin(), out.end(), origin) == out.end()) out.push_back(origin);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return out;
}

std::string format_duration(Millis value) {
    const auto ms = value.count();
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string format_bytes(std::uint64_t value) {
    static constexpr std::pair<const char*, int> kUnits[] = {
        {"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}};
    for (const auto& [name, shift] : kUnits) {
        const std::uint64_t size = 1ull << shift;
        if (value != 0 && value % size == 0) return std::to_string(value / size) + name;
    }
    return std::to_string(value) + "B";
}

}  // namespace ff::config
