// A byte-at-a-time JSON validator whose only memory is a bracket stack and one capture buffer,
// with a one-pass fast path for the common case of an element that lies whole in its chunk.
#include "parse/json_framer.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "parse/json_scan.hpp"
#include "parse/row_parser.hpp"

namespace ff::parse {
namespace {

using detail::find_quote_or_backslash;
using detail::scan_literal;
using detail::scan_number;
using detail::scan_string;

constexpr std::size_t kRejectPrefixBytes = 4096;  // kept of an oversize element
constexpr std::size_t kMaxKeyBytes = 64;          // longer top-level names are simply unknown
constexpr std::size_t kMaxMetaBytes = 4096;

bool is_ws(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::size_t skip_ws(std::string_view s, std::size_t i) {
    while (i < s.size() && is_ws(s[i])) ++i;
    return i;
}

std::string describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    char buf[16];
    if (u >= 0x21 && u < 0x7F)
        std::snprintf(buf, sizeof buf, "'%c'", c);
    else
        std::snprintf(buf, sizeof buf, "byte 0x%02X", u);
    return buf;
}

}  // namespace

enum class JsonFramer::State : unsigned char {
    start,          // before the document (whitespace, optional BOM)
    bom,            // inside a UTF-8 byte order mark
    value,          // a value is required (after ':' or ',' in an array)
    array_first,    // after '[': a value or ']'
    object_first,   // after '{': a member name or '}'
    object_key,     // after ',' in an object: a member name
    colon,          // after a member name
    after_value,    // ',' or the closing bracket
    string,         // inside a string
    string_escape,  // after a backslash
    string_hex,     // inside \uXXXX
    literal,        // inside true/false/null
    num_minus,      // after '-'
    num_zero,       // after a leading 0
    num_int,        // integer digits
    num_dot,        // after '.'
    num_frac,       // fraction digits
    num_exp,        // after 'e'
    num_exp_sign,   // after the exponent sign
    num_exp_digits,
    skip,         // inside a value nested past max_depth: brackets matched, nothing else checked
    skip_string,  // inside a string there
    skip_escape,  // after a backslash there
    done,         // after the document: whitespace only
};

JsonFramer::JsonFramer(DocumentKind kind, FramerLimits limits)
    : kind_(kind), limits_(limits), state_(State::start) {
    // The document, its rows or changes array and each element's own brackets are always
    // checked, so a skipped value (past the cap) is inside an element or inside a member of the
    // document that the framer does not read.
    limits_.max_depth = std::max(limits_.max_depth, 3);
    stack_.reserve(static_cast<std::size_t>(limits_.max_depth));
}

void JsonFramer::fail(std::string_view what, std::size_t pos) const {
    throw FileError(std::string(what) + " at byte " + std::to_string(offset_ + pos));
}

void JsonFramer::feed(std::string_view chunk, const ElementFn& on_element) {
    const RejectFn pass_prefix = [&](std::string_view first_bytes, std::string_view,
                                     std::optional<long long>) { on_element(first_bytes); };
    feed(chunk, on_element, pass_prefix);
}

// Kept whole: one switch over the states of the JSON grammar (the State enum above), each case a
// few lines that move to the next state; split by state, every transition would be a jump away
// from the states it connects. Values start in begin_value, and elements that lie whole in the
// chunk take the one-pass scan_element instead of this loop.
void JsonFramer::feed(std::string_view chunk, const ElementFn& on_element,
                      const RejectFn& on_reject) {
    chunk_ = chunk;
    on_element_ = &on_element;
    on_reject_ = &on_reject;
    capture_from_ = 0;
    const std::size_t n = chunk.size();
    for (std::size_t i = 0; i < n;) {
        const char c = chunk[i];
        switch (state_) {
            case State::start:
                if (static_cast<unsigned char>(c) == 0xEF && offset_ + i == 0) {
                    state_ = State::bom;
                    bom_left_ = 2;
                    break;
                }
                if (is_ws(c)) break;
                begin_value(c, i);
                break;
            case State::bom: {
                const unsigned char want = bom_left_ == 2 ? 0xBB : 0xBF;
                if (static_cast<unsigned char>(c) != want) fail("not JSON: stray byte", i);
                if (--bom_left_ == 0) state_ = State::start;
                break;
            }
            case State::value:
            case State::array_first:
                if (is_ws(c)) break;
                if (c == ']' && state_ == State::array_first) {
                    stack_.pop_back();
                    end_value(i + 1);
                    break;
                }
                if (stack_.size() == array_depth_) {
                    if (const std::size_t end = scan_element(i); end != 0) {
                        begin_capture(Capture::element, i);
                        end_value(end);
                        i = end;
                        continue;
                    }
                }
                begin_value(c, i);
                break;
            case State::object_first:
            case State::object_key:
                if (is_ws(c)) break;
                if (c == '}' && state_ == State::object_first) {
                    stack_.pop_back();
                    end_value(i + 1);
                    break;
                }
                if (c != '"') fail("not JSON: expected a member name, found " + describe(c), i);
                string_is_key_ = true;
                if (stack_.size() == 1 && !meta_.bare_array) begin_capture(Capture::key, i);
                state_ = State::string;
                break;
            case State::colon:
                if (is_ws(c)) break;
                if (c != ':') fail("not JSON: expected ':', found " + describe(c), i);
                state_ = State::value;
                break;
            case State::after_value:
                if (is_ws(c)) break;
                if (c == ',') {
                    state_ = stack_.back() == '{' ? State::object_key : State::value;
                    break;
                }
                if (c != (stack_.back() == '{' ? '}' : ']')) {
                    fail("not JSON: expected ',' or a closing bracket, found " + describe(c), i);
                }
                stack_.pop_back();
                end_value(i + 1);
                break;
            case State::string: {
                i = find_quote_or_backslash(chunk, i);
                if (i == n) continue;
                if (chunk[i] == '\\') {
                    state_ = State::string_escape;
                } else if (string_is_key_) {
                    string_is_key_ = false;
                    if (capture_ == Capture::key) finish_capture(i + 1);
                    state_ = State::colon;
                } else {
                    end_value(i + 1);
                }
                break;
            }
            case State::string_escape:
                if (c == 'u') {
                    state_ = State::string_hex;
                    hex_left_ = 4;
                } else if (std::string_view("\"\\/bfnrt").find(c) != std::string_view::npos) {
                    state_ = State::string;
                } else {
                    fail("not JSON: bad escape \\" + std::string(1, c), i);
                }
                break;
            case State::string_hex:
                if (!std::isxdigit(static_cast<unsigned char>(c)))
                    fail("not JSON: bad \\u escape", i);
                if (--hex_left_ == 0) state_ = State::string;
                break;
            case State::literal:
                if (c != *literal_) fail("not JSON: unknown literal", i);
                if (*++literal_ == '\0') end_value(i + 1);
                break;
            case State::num_minus:
                if (c == '0')
                    state_ = State::num_zero;
                else if (is_digit(c))
                    state_ = State::num_int;
                else
                    fail("not JSON: digit expected after '-'", i);
                break;
            case State::num_int:
                if (is_digit(c)) break;
                [[fallthrough]];
            case State::num_zero:
                if (c == '.')
                    state_ = State::num_dot;
                else if (c == 'e' || c == 'E')
                    state_ = State::num_exp;
                else {
                    end_value(i);
                    continue;  // the delimiter belongs to the parent
                }
                break;
            case State::num_dot:
                if (!is_digit(c)) fail("not JSON: digit expected after '.'", i);
                state_ = State::num_frac;
                break;
            case State::num_frac:
                if (is_digit(c)) break;
                if (c == 'e' || c == 'E') {
                    state_ = State::num_exp;
                    break;
                }
                end_value(i);
                continue;
            case State::num_exp:
                if (c == '+' || c == '-') {
                    state_ = State::num_exp_sign;
                    break;
                }
                [[fallthrough]];
            case State::num_exp_sign:
                if (!is_digit(c)) fail("not JSON: digit expected in an exponent", i);
                state_ = State::num_exp_digits;
                break;
            case State::num_exp_digits:
                if (is_digit(c)) break;
                end_value(i);
                continue;
            case State::skip:
                if (c == '"') {
                    state_ = State::skip_string;
                } else if (c == '{' || c == '[') {
                    ++skip_depth_;
                } else if ((c == '}' || c == ']') && --skip_depth_ == 0) {
                    end_value(i + 1);
                }
                break;
            case State::skip_string:
                i = find_quote_or_backslash(chunk, i);
                if (i == n) continue;
                state_ = chunk[i] == '\\' ? State::skip_escape : State::skip;
                break;
            case State::skip_escape:
                state_ = State::skip_string;
                break;
            case State::done:
                if (!is_ws(c)) fail("garbage after the document: " + describe(c), i);
                break;
        }
        ++i;
    }
    if (capture_ != Capture::none) append_capture(chunk.substr(capture_from_));
    offset_ += n;
    chunk_ = {};
}

void JsonFramer::begin_value(char c, std::size_t pos) {
    const std::size_t depth = stack_.size();
    bool target = false;  // this value is the rows/changes array itself
    if (depth == 0) {
        if (c == '[') {
            meta_.bare_array = true;
            target = true;
        } else if (c != '{') {
            const bool scalar =
                c == '"' || c == '-' || is_digit(c) || c == 't' || c == 'f' || c == 'n';
            fail(scalar ? "wrong shape: the document is a scalar, not an object or array"
                        : "not JSON: unexpected " + describe(c),
                 pos);
        }
    } else if (array_depth_ != 0 && depth == array_depth_) {
        begin_capture(Capture::element, pos);
    } else if (depth == 1 && !meta_.bare_array) {
        const std::string_view array_name = kind_ == DocumentKind::snapshot ? "rows" : "changes";
        if (key_ == array_name) {
            if (c != '[') fail("wrong shape: \"" + key_ + "\" is not an array", pos);
            if (array_seen_) fail("wrong shape: two \"" + key_ + "\" arrays", pos);
            target = true;
        } else if (key_ == "table" || key_ == "exported_at" || key_ == "row_count") {
            if (c == '{' || c == '[') fail("wrong shape: \"" + key_ + "\" is not a scalar", pos);
            begin_capture(Capture::meta, pos);
        }
    }

    switch (c) {
        case '{':
        case '[':
            if (!push(c)) {
                skip_depth_ = 1;
                state_ = State::skip;
                return;
            }
            if (target) {
                array_seen_ = true;
                array_depth_ = stack_.size();
            }
            state_ = c == '{' ? State::object_first : State::array_first;
            return;
        case '"':
            string_is_key_ = false;
            state_ = State::string;
            return;
        case 't':
            literal_ = "rue";
            state_ = State::literal;
            return;
        case 'f':
            literal_ = "alse";
            state_ = State::literal;
            return;
        case 'n':
            literal_ = "ull";
            state_ = State::literal;
            return;
        case '-':
            state_ = State::num_minus;
            return;
        case '0':
            state_ = State::num_zero;
            return;
        default:
            if (is_digit(c)) {
                state_ = State::num_int;
                return;
            }
            if (static_cast<unsigned char>(c) >= 0x80) fail("invalid byte outside a string", pos);
            fail("not JSON: unexpected " + describe(c), pos);
    }
}

// One past the end of the element starting at chunk_[pos] when it lies whole in this chunk and
// the state machine would accept it, else 0. Uses stack_ for its brackets and leaves it as found.
std::size_t JsonFramer::scan_element(std::size_t pos) {
    const std::string_view s = chunk_;
    const std::size_t base = stack_.size();
    const auto max_depth = static_cast<std::size_t>(limits_.max_depth);
    const auto give_up = [&] {
        stack_.resize(base);
        return std::size_t{0};
    };
    std::size_t i = pos;
    for (;;) {
        // A value starts at s[i].
        if (i >= s.size()) return give_up();
        const char c = s[i];
        if (c == '{' || c == '[') {
            if (stack_.size() >= max_depth) return give_up();
            stack_.push_back(c);
            i = skip_ws(s, i + 1);
            if (i >= s.size()) return give_up();
            if (s[i] == (c == '{' ? '}' : ']')) {
                stack_.pop_back();
                ++i;
            } else if (c == '[') {
                continue;
            } else {
                if (s[i] != '"' || (i = scan_string(s, i)) == 0) return give_up();
                i = skip_ws(s, i);
                if (i >= s.size() || s[i] != ':') return give_up();
                i = skip_ws(s, i + 1);
                continue;
            }
        } else if (c == '"') {
            i = scan_string(s, i);
        } else if (c == '-' || is_digit(c)) {
            i = scan_number(s, i);
        } else {
            i = scan_literal(s, i);
        }
        if (i == 0) return give_up();

        // A value ended at s[i]: close brackets until one wants another value.
        for (;;) {
            if (stack_.size() == base) return i;
            i = skip_ws(s, i);
            if (i >= s.size()) return give_up();
            const bool in_object = stack_.back() == '{';
            if (s[i] == (in_object ? '}' : ']')) {
                stack_.pop_back();
                ++i;
                continue;
            }
            if (s[i] != ',') return give_up();
            i = skip_ws(s, i + 1);
            if (!in_object) break;
            if (i >= s.size() || s[i] != '"' || (i = scan_string(s, i)) == 0) return give_up();
            i = skip_ws(s, i);
            if (i >= s.size() || s[i] != ':') return give_up();
            i = skip_ws(s, i + 1);
            break;
        }
    }
}

// False at the depth cap: the caller skips the value instead, and the element holding it is
// captured as any other (the row parser rejects it for its depth, or it is oversize).
bool JsonFramer::push(char open) {
    if (stack_.size() >= static_cast<std::size_t>(limits_.max_depth)) return false;
    stack_.push_back(open);
    return true;
}

// Called after any value completes; `end_pos` is one past its last byte in the chunk.
void JsonFramer::end_value(std::size_t end_pos) {
    const std::size_t depth = stack_.size();
    if (capture_ != Capture::none && depth == capture_depth_) finish_capture(end_pos);
    if (array_depth_ != 0 && depth == array_depth_ - 1) array_depth_ = 0;  // the array closed
    state_ = depth == 0 ? State::done : State::after_value;
}

void JsonFramer::begin_capture(Capture what, std::size_t pos) {
    capture_ = what;
    capture_depth_ = stack_.size();
    capture_from_ = pos;
    capture_oversize_ = false;
    buffer_.clear();
}

void JsonFramer::append_capture(std::string_view bytes) {
    const std::size_t cap = capture_ == Capture::element ? limits_.max_element_bytes
                            : capture_ == Capture::key   ? kMaxKeyBytes
                                                         : kMaxMetaBytes;
    if (capture_oversize_) {
        if (capture_ == Capture::element) oversize_id_.feed(bytes);
        return;
    }
    if (buffer_.size() + bytes.size() > cap) {
        capture_oversize_ = true;
        if (capture_ == Capture::element) {
            oversize_id_ = IdScanner{};
            oversize_id_.feed(buffer_);
            oversize_id_.feed(bytes);
        }
        const std::size_t keep = std::min(cap, kRejectPrefixBytes);
        if (buffer_.size() < keep) buffer_.append(bytes.substr(0, keep - buffer_.size()));
        buffer_.resize(std::min(buffer_.size(), keep));
        return;
    }
    buffer_.append(bytes);
}

void JsonFramer::finish_capture(std::size_t end_pos) {
    const std::string_view tail = chunk_.substr(capture_from_, end_pos - capture_from_);
    // Zero-copy when the whole value lies in this chunk.
    std::string_view text = tail;
    if (!buffer_.empty() || tail.size() > limits_.max_element_bytes) {
        append_capture(tail);
        text = buffer_;
    }
    const Capture what = capture_;
    capture_ = Capture::none;
    if (what == Capture::element) {
        ++meta_.elements;
        if (capture_oversize_) {
            (*on_reject_)(
                text,
                "element is larger than " + std::to_string(limits_.max_element_bytes) + " bytes",
                oversize_id_.id());
        } else {
            (*on_element_)(text);
        }
    } else if (what == Capture::key) {
        key_ = capture_oversize_ ? std::string() : std::string(text.substr(1, text.size() - 2));
    } else {
        if (capture_oversize_) fail("wrong shape: \"" + key_ + "\" is too long", end_pos);
        store_meta(text);
    }
    buffer_.clear();
}

void JsonFramer::store_meta(std::string_view text) {
    const bool is_null = text == "null";
    if (key_ == "row_count") {
        std::optional<std::string> decoded;
        if (!text.empty() && text[0] == '"') decoded = decode_json_string(text);
        const std::string_view digits = decoded ? std::string_view(*decoded) : text;
        long long value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (is_null) {
            meta_.row_count.reset();
        } else if (ec != std::errc{} || end != digits.data() + digits.size() || value < 0) {
            throw FileError("wrong shape: row_count is not a count: " +
                            std::string(text.substr(0, 40)));
        } else {
            meta_.row_count = value;
        }
        return;
    }
    std::optional<std::string>& field = key_ == "table" ? meta_.table : meta_.exported_at;
    if (is_null) {
        field.reset();
        return;
    }
    field = text.empty() || text[0] != '"' ? std::nullopt : decode_json_string(text);
    if (!field) throw FileError("wrong shape: \"" + key_ + "\" is not a valid string");
}

void JsonFramer::finish() {
    if (state_ == State::start && offset_ == 0) throw FileError("empty file");
    if (state_ == State::start) throw FileError("not JSON: the file holds only whitespace");
    if (state_ != State::done) {
        throw FileError("truncated: the input ended inside the document at byte " +
                        std::to_string(offset_));
    }
    if (!array_seen_) {
        throw FileError(std::string("wrong shape: no \"") +
                        (kind_ == DocumentKind::snapshot ? "rows" : "changes") + "\" array");
    }
    if (meta_.row_count && static_cast<std::size_t>(*meta_.row_count) != meta_.elements) {
        throw FileError("row_count mismatch: row_count is " + std::to_string(*meta_.row_count) +
                        " but the array holds " + std::to_string(meta_.elements) +
                        " elements (truncated export?)");
    }
}

}  // namespace ff::parse
