// The typed columns of fuel.records (contract section 4) read while a row is parsed, for the
// shapes whose reading is certain, so a load does not pay the database's plpgsql fuel.normalise
// for every row. Exact or nothing: a row with any field outside those shapes gets no columns here
// and the database normalises it (sql/R__010_normalise.sql stays the definition).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parse/typed_column_set.hpp"

namespace ff::parse {
namespace detail {
class JsonTree;
}

// Each column as PostgreSQL's input text for its type (timestamptz with an explicit offset, date
// as YYYY-MM-DD, numeric as a plain decimal, boolean as t/f, flags as a text[] literal such as
// "{}" or "{unparseable_number,derived_amount}"); nullopt is NULL. The database casts the texts,
// so a value equals fuel.normalise's once read by the column's input function.
struct TypedColumns {
    std::array<std::optional<std::string>, typed_column_count> values;  // typed_column_set's order

    std::optional<std::string>& operator[](TypedColumn c) {
        return values[static_cast<std::size_t>(c)];
    }
    const std::optional<std::string>& operator[](TypedColumn c) const {
        return values[static_cast<std::size_t>(c)];
    }
};

// The row object at `object` of a parsed tree; nullopt when the database has to normalise it
// (also when a U+0000 was removed from it). The row parser calls it on the tree it built
// (parse_typed_row, parse_change), so a row that ships at once is parsed once.
std::optional<TypedColumns> normalise_row(const detail::JsonTree& tree, std::uint32_t object);

// Parses one row's JSON text, then normalise_row; nullopt also when the text is not a JSON object.
// For a row held as its canonical text until it is known to ship (a reconcile's changed rows).
std::optional<TypedColumns> normalise_row_json(std::string_view row_json);

// A timestamp of the export that is not a row field (a change's changed_at) as the database's
// fuel.ingest_ts reads it, as timestamptz input text with an explicit offset; nullopt where the
// text is no timestamp or has a shape left to the database (which then reads it itself).
std::optional<std::string> export_timestamp(std::string_view text);

}  // namespace ff::parse
