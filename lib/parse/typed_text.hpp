// The character rules the typed-column readers share: ASCII digits and case, and the contract's
// whitespace (spaces and tabs only, section 4).
#pragma once

#include <algorithm>
#include <string_view>

namespace ff::parse::detail {

inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

inline bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
}

inline char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

// btrim(value, E' \t')
inline std::string_view btrim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace ff::parse::detail
