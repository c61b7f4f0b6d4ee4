// Strict single-value JSON parser into a flat tree, and the canonical writer over that tree.
// Hand-written because RapidJSON 1.1 rejects exponents past double range even with
// kParseNumbersAsStringsFlag, and lets lone \uDC00 surrogates through (jsonb refuses them).
#include "parse/json_tree.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "parse/json_scan.hpp"

namespace ff::parse::detail {
namespace {

// Length of the valid UTF-8 sequence at s (strict: no overlongs, surrogates or > U+10FFFF), or 0.
std::size_t utf8_length(const unsigned char* s, std::size_t avail) {
    const unsigned char c = s[0];
    auto cont = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return i < avail && s[i] >= lo && s[i] <= hi;
    };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    if (c >= 0xE1 && c <= 0xEF) return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

// The first eight key bytes, big-endian and zero-padded: comparing two of these orders keys as
// bytewise comparison does, except that equal prefixes need the full keys to decide.
std::uint64_t key_prefix(std::string_view key) {
    std::uint64_t prefix = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        prefix = prefix << 8 | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0U);
    }
    return prefix;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// PostgreSQL numeric (and so jsonb) holds at most 131072 digits before the point and 16383 after;
// checking here turns a failed COPY of the whole batch into one clear row reject.
bool fits_pg_numeric(std::string_view t) {
    std::size_t i = t.empty() || t[0] != '-' ? 0 : 1;
    const std::size_t int_start = i;
    while (i < t.size() && is_digit(t[i])) ++i;
    const std::string_view int_part = t.substr(int_start, i - int_start);
    std::string_view frac;
    if (i < t.size() && t[i] == '.') {
        const std::size_t start = ++i;
        while (i < t.size() && is_digit(t[i])) ++i;
        frac = t.substr(start, i - start);
    }
    long long exp = 0;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        const bool negative = t[++i] == '-';
        if (t[i] == '-' || t[i] == '+') ++i;
        for (; i < t.size(); ++i) exp = std::min(exp * 10 + (t[i] - '0'), 100'000'000LL);
        if (negative) exp = -exp;
    }
    if (static_cast<long long>(frac.size()) - exp > 16383) return false;
    long long weight = 0;  // decimal digits before the point
    if (auto nz = int_part.find_first_not_of('0'); nz != std::string_view::npos) {
        weight = static_cast<long long>(int_part.size() - nz) + exp;
    } else if (auto fnz = frac.find_first_not_of('0'); fnz != std::string_view::npos) {
        weight = exp - static_cast<long long>(fnz);
    } else {
        return exp < 100'000'000LL;  // zero
    }
    return weight <= 131072;
}

}  // namespace

std::string clip_text(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xC0) == 0x80) --max;
    return std::string(text.substr(0, max)) + "...";
}

bool JsonTree::parse(std::string_view text, int max_depth, int root_depth) {
    text_ = text;
    p_ = 0;
    max_depth_ = max_depth;
    nodes_.clear();
    pool_.clear();
    error_.clear();
    if (!value(root_depth)) return false;
    skip_ws();
    if (p_ != text_.size()) return fail("unexpected text after the value");
    return true;
}

bool JsonTree::fail(std::string_view what) {
    error_ = "invalid JSON at byte " + std::to_string(p_) + ": " + std::string(what);
    return false;
}

// The member's node (the last one when the name repeats, as in jsonb), or -1.
long JsonTree::member(std::uint32_t obj, std::string_view name) const {
    long found = -1;
    for (std::uint32_t j = obj + 1; j < nodes_[obj].end; j = nodes_[j].end) {
        if (key(j) == name) found = j;
    }
    return found;
}

bool JsonTree::sanitised(std::uint32_t i) const {
    for (std::uint32_t j = i; j < nodes_[i].end; ++j) {
        if (nodes_[j].sanitised) return true;
    }
    return false;
}

void JsonTree::write(std::uint32_t i, std::string& out) {
    const Node& n = nodes_[i];
    switch (n.kind) {
        case Kind::null_value:
            out += "null";
            return;
        case Kind::true_value:
            out += "true";
            return;
        case Kind::false_value:
            out += "false";
            return;
        case Kind::number:
            out += val(i);
            return;
        case Kind::string:
            write_string(val(i), out);
            return;
        case Kind::array: {
            out += '[';
            for (std::uint32_t j = i + 1; j < n.end; j = nodes_[j].end) {
                if (j != i + 1) out += ',';
                write(j, out);
            }
            out += ']';
            return;
        }
        case Kind::object:
            write_object(i, out);
            return;
    }
}

void JsonTree::skip_ws() {
    while (p_ < text_.size() &&
           (text_[p_] == ' ' || text_[p_] == '\n' || text_[p_] == '\r' || text_[p_] == '\t')) {
        ++p_;
    }
}

bool JsonTree::expect(char c, std::string_view what) {
    skip_ws();
    if (p_ >= text_.size() || text_[p_] != c) return fail(what);
    ++p_;
    return true;
}

bool JsonTree::literal(std::string_view word, Kind kind, std::uint32_t idx) {
    if (text_.substr(p_, word.size()) != word) return fail("unknown literal");
    p_ += word.size();
    nodes_[idx].kind = kind;
    return true;
}

bool JsonTree::value(int depth) {
    skip_ws();
    if (p_ >= text_.size()) return fail("unexpected end");
    const auto idx = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back(Node{Kind::null_value, false, 0, 0, 0, 0, 0});
    bool ok = true;
    switch (text_[p_]) {
        case '{':
            ok = object(idx, depth);
            break;
        case '[':
            ok = array(idx, depth);
            break;
        case '"': {
            nodes_[idx].kind = Kind::string;
            nodes_[idx].val_off = static_cast<std::uint32_t>(pool_.size());
            ok = string(nodes_[idx].sanitised);
            nodes_[idx].val_len = static_cast<std::uint32_t>(pool_.size()) - nodes_[idx].val_off;
            break;
        }
        case 't':
            ok = literal("true", Kind::true_value, idx);
            break;
        case 'f':
            ok = literal("false", Kind::false_value, idx);
            break;
        case 'n':
            ok = literal("null", Kind::null_value, idx);
            break;
        default:
            ok = number(idx);
    }
    nodes_[idx].end = static_cast<std::uint32_t>(nodes_.size());
    return ok;
}

bool JsonTree::object(std::uint32_t idx, int depth) {
    if (depth > max_depth_) return fail("nesting deeper than " + std::to_string(max_depth_));
    nodes_[idx].kind = Kind::object;
    ++p_;
    skip_ws();
    if (p_ < text_.size() && text_[p_] == '}') return ++p_, true;
    for (;;) {
        skip_ws();
        if (p_ >= text_.size() || text_[p_] != '"') return fail("expected a member name");
        const auto key_off = static_cast<std::uint32_t>(pool_.size());
        bool key_sanitised = false;
        if (!string(key_sanitised) || !expect(':', "expected ':'")) return false;
        const auto key_len = static_cast<std::uint32_t>(pool_.size()) - key_off;
        const auto child = static_cast<std::uint32_t>(nodes_.size());
        if (!value(depth + 1)) return false;
        nodes_[child].key_off = key_off;
        nodes_[child].key_len = key_len;
        nodes_[child].sanitised |= key_sanitised;
        skip_ws();
        if (p_ < text_.size() && text_[p_] == ',') {
            ++p_;
            continue;
        }
        return expect('}', "expected ',' or '}'");
    }
}

bool JsonTree::array(std::uint32_t idx, int depth) {
    if (depth > max_depth_) return fail("nesting deeper than " + std::to_string(max_depth_));
    nodes_[idx].kind = Kind::array;
    ++p_;
    skip_ws();
    if (p_ < text_.size() && text_[p_] == ']') return ++p_, true;
    for (;;) {
        if (!value(depth + 1)) return false;
        skip_ws();
        if (p_ < text_.size() && text_[p_] == ',') {
            ++p_;
            continue;
        }
        return expect(']', "expected ',' or ']'");
    }
}

bool JsonTree::hex4(std::uint32_t& cp) {
    if (p_ + 4 > text_.size()) return fail("short \\u escape");
    cp = 0;
    for (int k = 0; k < 4; ++k) {
        const char h = text_[p_++];
        const int v = is_digit(h)              ? h - '0'
                      : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                      : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                               : -1;
        if (v < 0) return fail("bad hex digit in \\u escape");
        cp = cp * 16 + static_cast<std::uint32_t>(v);
    }
    return true;
}

bool JsonTree::escape(bool& sanitised) {
    const char e = text_[p_++];
    switch (e) {
        case '"':
            pool_ += '"';
            return true;
        case '\\':
            pool_ += '\\';
            return true;
        case '/':
            pool_ += '/';
            return true;
        case 'b':
            pool_ += '\b';
            return true;
        case 'f':
            pool_ += '\f';
            return true;
        case 'n':
            pool_ += '\n';
            return true;
        case 'r':
            pool_ += '\r';
            return true;
        case 't':
            pool_ += '\t';
            return true;
        case 'u':
            break;
        default:
            return fail("unknown escape");
    }
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        std::uint32_t low = 0;
        if (text_.substr(p_, 2) != "\\u") return fail("lone high surrogate in \\u escape");
        p_ += 2;
        if (!hex4(low)) return false;
        if (low < 0xDC00 || low > 0xDFFF) return fail("bad surrogate pair in \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0) {
        sanitised = true;  // jsonb cannot hold U+0000
    } else {
        append_utf8(pool_, cp);
    }
    return true;
}

// Appends the decoded string at p_ (on its opening quote) to the pool.
bool JsonTree::string(bool& sanitised) {
    const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
    const std::size_t n = text_.size();
    std::size_t run = ++p_;  // start of the bytes still to be copied as they are
    for (;;) {
        p_ = find_string_special(text_, p_);
        if (p_ >= n) return fail("unterminated string");
        const unsigned char c = s[p_];
        if (c >= 0x80) {
            const std::size_t len = utf8_length(s + p_, n - p_);
            if (len == 0) return fail("invalid UTF-8 in a string");
            p_ += len;  // valid UTF-8 is copied with the run
            continue;
        }
        pool_.append(text_.data() + run, p_ - run);
        if (c == '"') return ++p_, true;
        if (c == '\\') {
            if (++p_ >= n) return fail("unterminated string");
            if (!escape(sanitised)) return false;
        } else {
            sanitised = true;  // a raw NUL, which jsonb cannot hold
            ++p_;
        }
        run = p_;
    }
}

bool JsonTree::number(std::uint32_t idx) {
    const std::size_t start = p_;
    const std::size_t n = text_.size();
    auto digits = [&] {
        const std::size_t from = p_;
        while (p_ < n && is_digit(text_[p_])) ++p_;
        return p_ > from;
    };
    if (text_[p_] == '-') ++p_;
    if (p_ < n && text_[p_] == '0') {
        ++p_;
    } else if (!digits()) {
        return fail("unexpected character");
    }
    if (p_ < n && text_[p_] == '.' && (++p_, !digits())) return fail("digits expected after '.'");
    if (p_ < n && (text_[p_] == 'e' || text_[p_] == 'E')) {
        ++p_;
        if (p_ < n && (text_[p_] == '+' || text_[p_] == '-')) ++p_;
        if (!digits()) return fail("digits expected in the exponent");
    }
    const std::string_view text = text_.substr(start, p_ - start);
    if (!fits_pg_numeric(text)) {
        error_ = "number out of PostgreSQL numeric range: " + clip_text(text);
        return false;
    }
    nodes_[idx].kind = Kind::number;
    nodes_[idx].val_off = static_cast<std::uint32_t>(pool_.size());
    nodes_[idx].val_len = static_cast<std::uint32_t>(text.size());
    pool_ += text;
    return true;
}

// Alike to ff::json::escape_into (lib/core) on purpose: this one writes the canonical text that
// rows are hashed by, so its bytes (the short \b and \f escapes, as jsonb writes them) must never
// move with the log and --json escaping, and lib/parse uses no other layer.
void JsonTree::write_string(std::string_view s, std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;
    for (std::size_t i = find_needs_escape(s, 0); i < s.size(); i = find_needs_escape(s, i + 1)) {
        const auto c = static_cast<unsigned char>(s[i]);
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

bool JsonTree::key_less(const Member& a, const Member& b) const {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return key(a.node) < key(b.node);
}

bool JsonTree::same_key(const Member& a, const Member& b) const {
    return a.prefix == b.prefix && key(a.node) == key(b.node);
}

// Members go on a shared scratch stack; nested objects push above and pop back to `end`.
void JsonTree::write_object(std::uint32_t i, std::string& out) {
    const std::size_t base = scratch_.size();
    for (std::uint32_t j = i + 1; j < nodes_[i].end; j = nodes_[j].end) {
        scratch_.push_back(Member{key_prefix(key(j)), j});
    }
    const std::size_t end = scratch_.size();
    // Stable, so of equal keys the last stays last. A row's few members sort fastest by insertion
    // (and without stable_sort's buffer allocation); a large object must not cost n squared.
    constexpr std::size_t kInsertionSortMax = 32;
    const auto less = [this](const Member& a, const Member& b) { return key_less(a, b); };
    if (end - base <= kInsertionSortMax) {
        for (std::size_t k = base + 1; k < end; ++k) {
            const Member m = scratch_[k];
            std::size_t h = k;
            for (; h > base && less(m, scratch_[h - 1]); --h) scratch_[h] = scratch_[h - 1];
            scratch_[h] = m;
        }
    } else {
        std::stable_sort(scratch_.begin() + static_cast<long>(base), scratch_.end(), less);
    }
    out += '{';
    bool first = true;
    for (std::size_t k = base; k < end; ++k) {
        if (k + 1 < end && same_key(scratch_[k + 1], scratch_[k])) continue;  // last wins
        if (!first) out += ',';
        first = false;
        write_string(key(scratch_[k].node), out);
        out += ':';
        write(scratch_[k].node, out);
    }
    out += '}';
    scratch_.resize(base);
}

}  // namespace ff::parse::detail
