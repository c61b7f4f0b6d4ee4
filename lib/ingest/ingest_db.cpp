// Database plumbing shared by the snapshot and change-file pipelines.
#include "ingest/ingest_db.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <stdexcept>

#include "db/connection.hpp"

namespace ff::ingest::detail {

// COPY's text format (backslash, newline, CR and tab escaped; everything else as it is). It looks
// like JSON escaping (core/json_escape.cpp) but is another format: the two must not be shared.
void copy_field(std::string& out, std::string_view value, bool last) {
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
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
                out += c;
        }
    }
    out += last ? '\n' : '\t';
}

void copy_null(std::string& out, bool last) {
    out += "\\N";
    out += last ? '\n' : '\t';
}

void copy_typed(std::string& out, const std::optional<parse::TypedColumns>& typed, bool last) {
    const std::size_t n = parse::typed_column_count;
    copy_field(out, typed ? "t" : "f");
    for (std::size_t i = 0; i < n; ++i) {
        const bool end = last && i + 1 == n;
        if (typed)
            copy_opt(out, typed->values[i], end);
        else
            copy_null(out, end);
    }
}

std::string copy_rows_sql(std::string_view table, std::string_view head) {
    return fmt::format("COPY {} ({}, typed, {}) FROM STDIN", table, head,
                       parse::typed_column_list());
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_len(std::string_view s, std::size_t i) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) return b == 0 ? 0 : 1;
    std::size_t n = 0;
    unsigned cp = 0;
    if ((b & 0xE0) == 0xC0) {
        n = 2;
        cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
        n = 3;
        cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
        n = 4;
        cp = b & 0x07;
    } else
        return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are what PostgreSQL refuses too.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
    return n;
}

}  // namespace

std::string clean_text(std::string_view text, std::size_t cap) {
    std::string out;
    out.reserve(std::min(text.size(), cap));
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = utf8_len(text, i);
        std::size_t take = n == 0 ? 1 : n;
        if (out.size() + take > cap) break;
        if (n == 0)
            out += '?';
        else
            out.append(text.substr(i, n));
        i += take;
    }
    return out;
}

std::string bigint_array(const std::vector<long long>& ids) {
    std::string out = "{";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(ids[i]);
    }
    out += '}';
    return out;
}

std::string text_array(const std::vector<std::string_view>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        out += i ? ",\"" : "\"";
        for (char c : values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

// The answer carries every count whose source is the apply; one missing means this binary and the
// installed SQL disagree, and reading it as 0 would record wrong counts in the ledger and metrics.
ApplyOutcome parse_apply_result(std::string_view json) {
    ApplyOutcome out;
    out.detail = std::string(json);
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    auto fail = [json](std::string_view what) {
        return std::runtime_error(
            fmt::format("ingest: the apply function's answer {}: {}", what, json.substr(0, 200)));
    };
    if (doc.HasParseError() || !doc.IsObject()) throw fail("is not a JSON object");
    auto refused = doc.FindMember("refused");
    if (refused != doc.MemberEnd() && refused->value.IsString()) {
        out.refused = refused->value.GetString();
        return out;
    }
    auto forced = doc.FindMember("refused_reason");
    if (forced != doc.MemberEnd() && forced->value.IsString()) {
        out.forced = true;
        out.refused = forced->value.GetString();
    }
    for (const CountField& f : count_fields) {
        if (f.source != CountSource::apply) continue;
        const rapidjson::Value key(rapidjson::StringRef(f.key.data(), f.key.size()));
        const auto it = doc.FindMember(key);
        if (it == doc.MemberEnd() || !it->value.IsInt64())
            throw fail(fmt::format("has no integer \"{}\"", f.key));
        out.counts.*f.member = it->value.GetInt64();
    }
    auto flags = doc.FindMember("flags");
    if (flags == doc.MemberEnd() || !flags->value.IsObject()) throw fail("has no \"flags\" object");
    for (const auto& m : flags->value.GetObject()) {
        if (!m.value.IsInt64())
            throw fail(fmt::format("has a flag \"{}\" that is no integer", m.name.GetString()));
        out.counts.flags[m.name.GetString()] = m.value.GetInt64();
    }
    return out;
}

boost::asio::awaitable<void> rollback_quietly(db::Connection& db) {
    if (!db.usable()) co_return;
    try {
        co_await db.exec("ROLLBACK");
    } catch (const std::exception& e) {
        spdlog::warn("ingest: rollback: {}", e.what());
    }
}

}  // namespace ff::ingest::detail
