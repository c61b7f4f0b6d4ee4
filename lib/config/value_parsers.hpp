// Parsers for the value types of configuration variables (durations, booleans, URLs, ...).
// Each throws std::invalid_argument whose what() is the operator-facing reason, without the
// variable name (the caller adds it); none of them is used for secret values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace ff::config {

// An integer followed by ms, s, m or h, or several such terms ("1h30m"); a bare integer means
// seconds. Must be > 0 and <= 8760h.
Millis parse_duration(std::string_view text);

// true/false, 1/0, on/off, yes/no in any case.
bool parse_bool(std::string_view text);

// 0.10 or 10%, between 0 and 1 inclusive.
double parse_fraction(std::string_view text);

// A decimal integer in [min, max].
std::int64_t parse_integer(std::string_view text, std::int64_t min, std::int64_t max);

// An integer with an optional unit: B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB
// (powers of 1024), any case; a bare integer means bytes. Must be > 0.
std::uint64_t parse_bytes(std::string_view text);

// One of `choices`, compared case-insensitively; returns the choice as written in `choices`.
std::string parse_choice(std::string_view text, const std::vector<std::string_view>& choices);

// http(s)://host[:port] with no path, query or credentials (a single trailing "/" is accepted).
struct Endpoint {
    bool tls = false;
    std::string host;        // without brackets for IPv6 literals
    std::uint16_t port = 0;  // the scheme's default when the URL has none
    bool operator==(const Endpoint&) const = default;
};
Endpoint parse_endpoint(std::string_view text);

// host:port, with [v6]:port for IPv6 literals; port 0 asks the OS for a free one. ":port" means
// every IPv4 interface, the same as 0.0.0.0:port (IPv4 works in every container, [::] does not).
inline constexpr std::string_view kAnyHost = "0.0.0.0";
struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
    bool operator==(const ListenAddress&) const = default;
};
ListenAddress parse_listen(std::string_view text);

// A PostgreSQL identifier usable unquoted: [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes.
std::string parse_identifier(std::string_view text);

// A comma-separated list of web origins, http(s)://host[:port] each, returned as browsers send
// them in Origin (RFC 6454): scheme and host in lower case, a default port left out. Spaces
// around the commas are ignored; "*", paths and credentials are refused.
std::vector<std::string> parse_origins(std::string_view text);

// Renders a duration in the largest unit that divides it exactly: "1h", "30s", "250ms".
std::string format_duration(Millis value);

// Renders a byte count in the largest binary unit that divides it exactly: "2GiB", "1000B".
std::string format_bytes(std::uint64_t value);

}  // namespace ff::config
