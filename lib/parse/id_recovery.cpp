// A byte-at-a-time reader of an element's top-level "id" member, and the exact-integer test an id
// recovered from a rejected row must pass.
#include "parse/id_recovery.hpp"

#include <algorithm>
#include <charconv>

namespace ff::parse {
namespace {

constexpr std::size_t kMaxShortString = 64;  // an id's digits, with room for "17.000" and signs
constexpr std::size_t kMaxScalar = 64;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<long long> integral_value(std::string_view t) {
    std::size_t i = 0;
    const bool negative = !t.empty() && t[0] == '-';
    if (negative) ++i;
    const std::size_t int_from = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    const std::string_view int_part = t.substr(int_from, i - int_from);
    if (int_part.empty()) return std::nullopt;
    std::string_view frac;
    if (i < t.size() && t[i] == '.') {
        const std::size_t from = ++i;
        while (i < t.size() && is_digit(t[i])) ++i;
        frac = t.substr(from, i - from);
        if (frac.empty()) return std::nullopt;
    }
    long long exp = 0;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        const bool exp_negative = i < t.size() && t[i] == '-';
        if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
        const std::size_t from = i;
        for (; i < t.size() && is_digit(t[i]); ++i)
            exp = std::min(exp * 10 + (t[i] - '0'), 1'000'000LL);
        if (i == from) return std::nullopt;
        if (exp_negative) exp = -exp;
    }
    if (i != t.size()) return std::nullopt;

    // The value is digits × 10^scale, digits = int_part then frac, without their leading zeros.
    std::string digits;
    for (const std::string_view part : {int_part, frac}) {
        for (const char c : part) {
            if (digits.empty() && c == '0') continue;
            if (digits.size() > 40) return std::nullopt;  // far beyond int64 whatever the scale
            digits += c;
        }
    }
    long long scale = exp - static_cast<long long>(frac.size());
    while (!digits.empty() && digits.back() == '0') {
        digits.pop_back();
        ++scale;
    }
    if (digits.empty()) return 0;
    if (scale < 0 || static_cast<long long>(digits.size()) + scale > 19) return std::nullopt;
    digits.append(static_cast<std::size_t>(scale), '0');
    if (negative) digits.insert(digits.begin(), '-');
    long long value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return value;
}

void IdScanner::ShortString::reset() {
    *this = ShortString{};
}

void IdScanner::ShortString::emit(std::uint32_t cp) {
    if (cp == 0) return;  // dropped, as the tree parser drops U+0000 (jsonb cannot hold it)
    if (cp >= 0x80 || text.size() >= kMaxShortString) {
        unusable = true;
        return;
    }
    text += static_cast<char>(cp);
}

bool IdScanner::ShortString::feed(char c) {
    if (hex_left > 0) {
        const int v = hex_value(c);
        if (v < 0) unusable = true;
        code = code * 16 + static_cast<std::uint32_t>(v < 0 ? 0 : v);
        if (--hex_left == 0) emit(code);
        return false;
    }
    if (escape) {
        escape = false;
        switch (c) {
            case 'u':
                hex_left = 4;
                code = 0;
                return false;
            case 'b':
                emit('\b');
                return false;
            case 'f':
                emit('\f');
                return false;
            case 'n':
                emit('\n');
                return false;
            case 'r':
                emit('\r');
                return false;
            case 't':
                emit('\t');
                return false;
            default:  // '"', '\\', '/'
                emit(static_cast<unsigned char>(c));
                return false;
        }
    }
    if (c == '\\') {
        escape = true;
        return false;
    }
    if (c == '"') return true;
    emit(static_cast<unsigned char>(c));
    return false;
}

void IdScanner::feed(std::string_view bytes) {
    for (const char c : bytes) {
        if (state_ == State::done || state_ == State::ignored) return;
        step(c);
    }
}

// Only the element's own members are read; everything below them is skipped by counting
// brackets outside strings, which is all the framer guarantees past its depth cap.
void IdScanner::step(char c) {
    switch (state_) {
        case State::start:
            if (is_blank(c)) return;
            state_ = c == '{' ? State::member : State::ignored;
            return;
        case State::member:
            if (is_blank(c)) return;
            if (c == '}') {
                state_ = State::done;
            } else if (c == '"') {
                string_.reset();
                state_ = State::key;
            } else {
                state_ = State::ignored;
            }
            return;
        case State::key:
            if (string_.feed(c)) {
                key_is_id_ = !string_.unusable && string_.text == "id";
                state_ = State::colon;
            }
            return;
        case State::colon:
            if (is_blank(c)) return;
            state_ = c == ':' ? State::value : State::ignored;
            return;
        case State::value:
            if (is_blank(c)) return;
            if (c == '{' || c == '[') {
                depth_ = 1;
                in_string_ = escape_ = false;
                state_ = State::nested;
            } else if (c == '"') {
                string_.reset();
                state_ = State::string;
            } else {
                scalar_.assign(1, c);
                state_ = State::scalar;
            }
            return;
        case State::string:
            if (string_.feed(c)) {
                std::string_view t = string_.text;
                while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
                while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
                end_value(string_.unusable ? std::nullopt : integral_value(t));
            }
            return;
        case State::scalar:
            if (c == ',' || c == '}' || is_blank(c)) {
                end_value(scalar_.size() > kMaxScalar ? std::nullopt : integral_value(scalar_));
                step(c);  // the delimiter belongs to the object
                return;
            }
            if (key_is_id_ && scalar_.size() <= kMaxScalar) scalar_ += c;
            return;
        case State::nested:
            step_nested(c);
            return;
        case State::after:
            if (is_blank(c)) return;
            if (c == ',')
                state_ = State::member;
            else
                state_ = c == '}' ? State::done : State::ignored;
            return;
        case State::done:
        case State::ignored:
            return;
    }
}

// Inside a member's object or array value: brackets counted outside strings until it closes.
void IdScanner::step_nested(char c) {
    if (in_string_) {
        if (escape_)
            escape_ = false;
        else if (c == '\\')
            escape_ = true;
        else if (c == '"')
            in_string_ = false;
    } else if (c == '"') {
        in_string_ = true;
    } else if (c == '{' || c == '[') {
        ++depth_;
    } else if ((c == '}' || c == ']') && --depth_ == 0) {
        end_value(std::nullopt);  // an object or array is never an id
    }
}

void IdScanner::end_value(std::optional<long long> verdict) {
    if (key_is_id_) id_ = verdict;
    key_is_id_ = false;
    state_ = State::after;
}

std::optional<long long> IdScanner::id() const {
    if (state_ != State::done || !id_) return std::nullopt;
    return *id_;
}

std::optional<long long> recover_id(std::string_view element) {
    IdScanner scanner;
    scanner.feed(element);
    return scanner.id();
}

}  // namespace ff::parse
