// Fast scans of JSON text: eight-bytes-at-a-time searches for the few bytes a scan has to stop
// at (most of a row is plain text between them), shared by the framer and the tree parser, and
// the token scans of the framer's fast path.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ff::parse::detail {

// A byte of w ^ (kOnes * c) is zero exactly where w holds c. (x - 0x01..) & ~x & 0x80.. flags the
// lowest zero byte of x exactly, and (x - n*0x01..) & ~x & 0x80.. the lowest byte below n
// (n <= 0x80): a borrow can only flag bytes above a real hit, so the lowest flag found is always
// the first byte wanted.
inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

inline std::uint64_t zero_bytes(std::uint64_t x) {
    return (x - kOnes) & ~x;
}
inline std::uint64_t bytes_below(std::uint64_t x, unsigned char n) {
    return (x - kOnes * n) & ~x;
}

// Index of the first byte at or after i that `wanted` flags, or, on a big-endian machine or
// for the last bytes, the first for which `is_wanted` holds; s.size() when there is none.
template <typename Flags, typename Pred>
std::size_t find_first(std::string_view s, std::size_t i, Flags wanted, Pred is_wanted) {
    if constexpr (std::endian::native == std::endian::little) {
        for (; i + 8 <= s.size(); i += 8) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (const std::uint64_t hit = wanted(w) & kHighs; hit != 0)
                return i + static_cast<std::size_t>(std::countr_zero(hit)) / 8;
        }
    }
    while (i < s.size() && !is_wanted(static_cast<unsigned char>(s[i]))) ++i;
    return i;
}

// The end of a string's plain run for the framer: '"' or '\\'.
inline std::size_t find_quote_or_backslash(std::string_view s, std::size_t i) {
    return find_first(
        s, i,
        [](std::uint64_t w) {
            return zero_bytes(w ^ (kOnes * '"')) | zero_bytes(w ^ (kOnes * '\\'));
        },
        [](unsigned char c) { return c == '"' || c == '\\'; });
}

// Bytes a string cannot simply copy from the input: '"', '\\', NUL (dropped) and non-ASCII
// (validated). Other control bytes are copied as they are.
inline std::size_t find_string_special(std::string_view s, std::size_t i) {
    return find_first(
        s, i,
        [](std::uint64_t w) {
            return zero_bytes(w ^ (kOnes * '"')) | zero_bytes(w ^ (kOnes * '\\')) | zero_bytes(w) |
                   w;
        },
        [](unsigned char c) { return c == '"' || c == '\\' || c == 0 || c >= 0x80; });
}

// Bytes the canonical writer must escape: '"', '\\' and control bytes.
inline std::size_t find_needs_escape(std::string_view s, std::size_t i) {
    return find_first(
        s, i,
        [](std::uint64_t w) {
            return zero_bytes(w ^ (kOnes * '"')) | zero_bytes(w ^ (kOnes * '\\')) |
                   bytes_below(w, 0x20);
        },
        [](unsigned char c) { return c == '"' || c == '\\' || c < 0x20; });
}

// Token scans for the framer's fast path: each accepts a subset of what the framer's state
// machine accepts, ending at the same byte; anything else (an error, an unusual token, the end of
// the text) returns 0 so the state machine redoes the element and reports exactly as before.

inline bool scan_is_digit(char c) {
    return c >= '0' && c <= '9';
}
inline bool scan_is_hex(char c) {
    return scan_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline std::size_t scan_digits(std::string_view s, std::size_t i) {
    while (i < s.size() && scan_is_digit(s[i])) ++i;
    return i;
}

// One past the closing quote of the string opening at s[i], or 0.
inline std::size_t scan_string(std::string_view s, std::size_t i) {
    for (i = find_quote_or_backslash(s, i + 1); i < s.size(); i = find_quote_or_backslash(s, i)) {
        if (s[i] == '"') return i + 1;
        if (++i >= s.size()) return 0;
        if (s[i] == 'u') {
            if (s.size() - i < 5 || !scan_is_hex(s[i + 1]) || !scan_is_hex(s[i + 2]) ||
                !scan_is_hex(s[i + 3]) || !scan_is_hex(s[i + 4])) {
                return 0;
            }
            i += 5;
        } else if (std::string_view("\"\\/bfnrt").find(s[i]) != std::string_view::npos) {
            ++i;
        } else {
            return 0;
        }
    }
    return 0;
}

// The index of the delimiter after the number starting at s[i], or 0. The delimiter must be in
// the chunk: the state machine only knows a number has ended when it sees the next byte.
inline std::size_t scan_number(std::string_view s, std::size_t i) {
    if (s[i] == '-') ++i;
    if (i >= s.size() || !scan_is_digit(s[i])) return 0;
    i = s[i] == '0' ? i + 1 : scan_digits(s, i + 1);
    if (i < s.size() && s[i] == '.') {
        if (++i >= s.size() || !scan_is_digit(s[i])) return 0;
        i = scan_digits(s, i);
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        if (++i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (i >= s.size() || !scan_is_digit(s[i])) return 0;
        i = scan_digits(s, i);
    }
    return i < s.size() ? i : 0;
}

// One past a true/false/null literal starting at s[i], or 0.
inline std::size_t scan_literal(std::string_view s, std::size_t i) {
    for (const std::string_view word : {"true", "false", "null"}) {
        if (s.substr(i, word.size()) == word) return i + word.size();
    }
    return 0;
}

}  // namespace ff::parse::detail
