// Turns one framed element (a row or a change) into its id, canonical text, hash and fields.
#include "parse/row_parser.hpp"

#include <algorithm>
#include <charconv>

#include "parse/content_hash.hpp"
#include "parse/id_recovery.hpp"
#include "parse/json_tree.hpp"

namespace ff::parse {
namespace {

using detail::JsonTree;
using detail::Kind;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

JsonTree& parser() {
    thread_local JsonTree p;
    return p;
}

enum class IdStatus { ok, missing, invalid, out_of_range };

IdStatus read_id(const JsonTree& p, long node, long long& out) {
    if (node < 0 || p.node(node).kind == Kind::null_value) return IdStatus::missing;
    const Kind kind = p.node(node).kind;
    if (kind != Kind::number && kind != Kind::string) return IdStatus::invalid;
    std::string_view t = p.val(node);
    if (kind == Kind::string) {
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    }
    const std::size_t digits_from = !t.empty() && t[0] == '-' ? 1 : 0;
    if (t.size() == digits_from ||
        !std::all_of(t.begin() + static_cast<long>(digits_from), t.end(), is_digit)) {
        return IdStatus::invalid;
    }
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec == std::errc::result_out_of_range) return IdStatus::out_of_range;
    return ec == std::errc{} && end == t.data() + t.size() ? IdStatus::ok : IdStatus::invalid;
}

std::string id_problem(IdStatus status, std::string_view what) {
    if (status == IdStatus::missing) return std::string(what) + " has no id";
    if (status == IdStatus::out_of_range)
        return std::string(what) + " id is out of the int64 range";
    return std::string(what) + " id is not an integer";
}

std::optional<std::string> member_text(JsonTree& p, std::uint32_t obj, std::string_view name) {
    const long m = p.member(obj, name);
    if (m < 0 || p.node(m).kind == Kind::null_value) return std::nullopt;
    if (p.node(m).kind == Kind::string) return std::string(p.val(m));
    std::string out;
    p.write(static_cast<std::uint32_t>(m), out);
    return out;
}

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::object:
            return "an object";
        case Kind::array:
            return "an array";
        case Kind::string:
            return "a string";
        case Kind::number:
            return "a number";
        case Kind::null_value:
            return "null";
        default:
            return "a boolean";
    }
}

// Fills `row` from the object at `node`; a missing row id falls back to `fallback_id`.
std::optional<RowReject> make_row(JsonTree& p, std::uint32_t node,
                                  std::optional<long long> fallback_id, ParsedRow& row) {
    if (p.node(node).kind != Kind::object) {
        return RowReject{std::string("row is ") + kind_name(p.node(node).kind) + ", not an object",
                         fallback_id};
    }
    const IdStatus status = read_id(p, p.member(node, "id"), row.id);
    if (status == IdStatus::missing && fallback_id) {
        row.id = *fallback_id;
    } else if (status != IdStatus::ok) {
        return RowReject{id_problem(status, "row"), fallback_id};
    }
    p.write(node, row.canonical);
    content_hash_hex_into(row.hash_hex, row.canonical);
    row.sanitised = p.sanitised(node);
    row.deleted_at = member_text(p, node, "deleted_at");
    return std::nullopt;
}

std::optional<RowReject> parse_element(JsonTree& p, std::string_view element,
                                       const ParseLimits& limits, int root_depth = 1) {
    if (element.size() > limits.max_bytes) {
        return RowReject{"element is larger than " + std::to_string(limits.max_bytes) + " bytes",
                         std::nullopt};
    }
    if (!p.parse(element, limits.max_depth, root_depth)) return RowReject{p.error(), std::nullopt};
    return std::nullopt;
}

// A change's row sits one level below the change, so the change's own object does not count
// against the row's depth cap: a row is stored at the same depth from either stream.
std::variant<ParsedChange, RowReject> parse_change_tree(std::string_view element,
                                                        const ParseLimits& limits) {
    JsonTree& p = parser();
    if (auto reject = parse_element(p, element, limits, 0)) return *reject;
    if (p.node(0).kind != Kind::object) {
        return RowReject{std::string("change is ") + kind_name(p.node(0).kind) + ", not an object",
                         std::nullopt};
    }
    ParsedChange change;
    long long id = 0;
    std::optional<long long> change_id;
    const IdStatus status = read_id(p, p.member(0, "id"), id);
    if (status == IdStatus::ok) {
        change_id = id;
    } else if (status != IdStatus::missing) {
        return RowReject{id_problem(status, "change"), std::nullopt};
    }

    const long op = p.member(0, "op");
    if (op < 0 || p.node(op).kind != Kind::string) {
        return RowReject{op < 0 ? "change has no op" : "op is not a string", change_id};
    }
    change.op = p.val(op);
    std::transform(change.op.begin(), change.op.end(), change.op.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    if (change.op != "insert" && change.op != "update" && change.op != "upsert" &&
        change.op != "delete") {
        return RowReject{"unknown op \"" + detail::clip_text(p.val(op)) + "\"", change_id};
    }

    const long row = p.member(0, "row");
    if (row >= 0 && p.node(row).kind != Kind::null_value) {
        ParsedRow parsed;
        if (auto reject = make_row(p, static_cast<std::uint32_t>(row), change_id, parsed)) {
            return *reject;
        }
        if (change_id && parsed.id != *change_id) {
            return RowReject{"change id " + std::to_string(*change_id) + " differs from row id " +
                                 std::to_string(parsed.id),
                             change_id};
        }
        change_id = parsed.id;
        change.row = std::move(parsed);
        change.typed = normalise_row(p, static_cast<std::uint32_t>(row));
    } else if (change.op != "delete") {
        return RowReject{change.op + " without a row", change_id};
    }
    if (!change_id) return RowReject{"change has no id", std::nullopt};
    change.id = *change_id;
    change.changed_at = member_text(p, 0, "changed_at");
    return change;
}

// A rejected row's id is read again from its text, so that the id of a row whose other fields
// cannot be read (or whose id is "17.0") is known: the snapshot must not take it for absent.
// The row is then node 0 of parser(), for the typed columns.
std::optional<RowReject> parse_row_into(std::string_view element, const ParseLimits& limits,
                                        ParsedRow& row) {
    JsonTree& p = parser();
    auto reject = parse_element(p, element, limits);
    if (!reject) {
        row.canonical.reserve(element.size());
        reject = make_row(p, 0, std::nullopt, row);
    }
    if (reject) reject->id = recover_id(element);
    return reject;
}

}  // namespace

std::variant<ParsedRow, RowReject> parse_row(std::string_view element, const ParseLimits& limits) {
    ParsedRow row;
    if (auto reject = parse_row_into(element, limits, row)) return *reject;
    return row;
}

std::variant<TypedRow, RowReject> parse_typed_row(std::string_view element,
                                                  const ParseLimits& limits) {
    TypedRow out;
    if (auto reject = parse_row_into(element, limits, out.row)) return *reject;
    out.typed = normalise_row(parser(), 0);
    return out;
}

std::variant<ParsedChange, RowReject> parse_change(std::string_view element,
                                                   const ParseLimits& limits) {
    auto parsed = parse_change_tree(element, limits);
    if (auto* reject = std::get_if<RowReject>(&parsed); reject != nullptr && !reject->id)
        reject->id = recover_id(element);  // for the rejects table: the change's own "id"
    return parsed;
}
bool deleted_at_is_set(const std::optional<std::string>& value) {
    return value && value->find_first_not_of(" \t") != std::string::npos;
}

std::optional<std::string> decode_json_string(std::string_view literal) {
    JsonTree& p = parser();
    if (literal.empty() || literal[0] != '"' || !p.parse(literal, ParseLimits{}.max_depth))
        return std::nullopt;
    return std::string(p.val(0));
}

}  // namespace ff::parse
