// Parses one framed element (a row or a change) into its id, canonical JSON text and content hash.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "parse/limits.hpp"
#include "parse/typed_columns.hpp"

namespace ff::parse {

struct ParsedRow {
    long long id = 0;
    std::string canonical;   // keys sorted bytewise, last duplicate wins, numbers as received
    std::string hash_hex;    // content_hash_hex(canonical)
    bool sanitised = false;  // a \u0000 (which jsonb cannot hold) was removed
    std::optional<std::string> deleted_at;  // a string as written; other types as JSON
};

// A row with its typed columns read from the tree it was parsed into (normalise_row), so a row
// that ships at once is parsed once. typed is nullopt where the database normalises the row.
struct TypedRow {
    ParsedRow row;
    std::optional<TypedColumns> typed;
};

struct ParsedChange {
    std::string op;  // insert, update, upsert or delete
    long long id = 0;
    std::optional<std::string> changed_at;
    std::optional<ParsedRow> row;  // nullopt only for a delete
    // The row's typed columns, read from the same tree; nullopt for a delete and where the
    // database normalises the row. Every change ships, so they are always read.
    std::optional<TypedColumns> typed;
};

struct RowReject {
    std::string reason;
    // For a row, the id its text holds at its top level (recover_id), when it holds one: however
    // unreadable the rest is, a row with an id is not an absent row. For a change, the change's id.
    std::optional<long long> id;
};

struct ParseLimits {
    std::size_t max_bytes = kMaxElementBytes;
    int max_depth = kMaxRowDepth;  // of the row; a change's own object does not count
};

std::variant<ParsedRow, RowReject> parse_row(std::string_view element,
                                             const ParseLimits& limits = {});
// parse_row and the typed columns: for rows that ship as soon as they are read (a first load).
std::variant<TypedRow, RowReject> parse_typed_row(std::string_view element,
                                                  const ParseLimits& limits = {});
std::variant<ParsedChange, RowReject> parse_change(std::string_view element,
                                                   const ParseLimits& limits = {});

// True when a row's deleted_at counts as set: present and not blank (a soft delete at the
// source, even when its text is not a readable timestamp).
bool deleted_at_is_set(const std::optional<std::string>& value);

// Decodes one JSON string literal (quotes included); nullopt when it is not valid JSON or UTF-8.
std::optional<std::string> decode_json_string(std::string_view literal);

}  // namespace ff::parse
