// RFC 9112 header checks on plain fields, so every rule is unit-tested without a socket.
#include "http/framing.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace ff::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// uri-host [ ":" port ] (RFC 3986): unreserved, pct-encoded, sub-delims, and the brackets and
// colons of an IP literal. An empty value is allowed (RFC 9112 §3.2).
bool valid_host(std::string_view value) {
    constexpr std::string_view kAllowed = "-._~%!$&'()*+,;=:[]";
    return std::all_of(value.begin(), value.end(), [&](char c) {
        const auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) || kAllowed.find(c) != std::string_view::npos;
    });
}

// The codings of every Transfer-Encoding field line, in order, lowercased; empty list elements
// are skipped as RFC 9110 §5.6.1 allows. Parameters (";q=...") stay part of the coding, so a
// parameterised chunked is not chunked.
std::vector<std::string> codings(const HeaderFields& fields) {
    std::vector<std::string> out;
    for (const auto& [name, value] : fields) {
        if (!iequals(name, "Transfer-Encoding")) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto token = trim(rest.substr(0, comma));
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            if (token.empty()) continue;
            std::string lower(token);
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            out.push_back(std::move(lower));
        }
    }
    return out;
}

std::optional<FramingError> check_host(unsigned version, const HeaderFields& fields) {
    int hosts = 0;
    for (const auto& [name, value] : fields) {
        if (!iequals(name, "Host")) continue;
        if (++hosts > 1) return FramingError{400, "more than one Host header"};
        if (!valid_host(trim(value))) return FramingError{400, "invalid Host header"};
    }
    if (hosts == 0 && version >= 11) return FramingError{400, "HTTP/1.1 request without Host"};
    return std::nullopt;
}

std::optional<FramingError> check_transfer_encoding(unsigned version, const HeaderFields& fields) {
    bool has_te = false;
    bool has_length = false;
    for (const auto& [name, value] : fields) {
        has_te = has_te || iequals(name, "Transfer-Encoding");
        has_length = has_length || iequals(name, "Content-Length");
    }
    if (!has_te) return std::nullopt;
    if (version < 11) return FramingError{400, "Transfer-Encoding in an HTTP/1.0 request"};
    if (has_length) return FramingError{400, "both Transfer-Encoding and Content-Length"};
    const auto list = codings(fields);
    if (list.empty() || list.back() != "chunked")
        return FramingError{400, "Transfer-Encoding does not end with chunked"};
    if (std::count(list.begin(), list.end(), "chunked") > 1)
        return FramingError{400, "chunked applied more than once"};
    if (list.size() > 1) return FramingError{501, "transfer codings other than chunked"};
    return std::nullopt;
}

}  // namespace

std::optional<FramingError> check_framing(unsigned version, const HeaderFields& fields) {
    if (auto e = check_host(version, fields)) return e;
    return check_transfer_encoding(version, fields);
}

}  // namespace ff::http
