// The typed columns of fuel.records (contract section 4), defined once: the C++ reader, the
// stagers' COPY column lists, fleetfuel verify and the tests read this list; the SQL that spells
// the columns (the table, fuel.normalise's OUT parameters, the staging tables, the functions that
// copy them) is checked against it in PostgreSQL by tests/parse/typed_column_set_test.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace ff::parse {

// The column types, and the text the C++ reader writes for each: PostgreSQL's input text, which
// the database casts (typed_columns.hpp).
enum class SqlType : unsigned char {
    text,
    timestamptz,  // RFC 3339 with an explicit offset
    date,         // YYYY-MM-DD
    numeric,      // a plain decimal, its scale as written or derived
    integer,      // a plain decimal
    boolean,      // t or f
    text_array,   // an array literal such as {} or {unparseable_number,derived_amount}
};

// A list macro so that the enum below and the table are one list: each column once, in the order
// of fuel.normalise's OUT parameters and of fuel.records.
#define FF_TYPED_COLUMNS(X)           \
    X(message_id, text)               \
    X(reported_at, timestamptz)       \
    X(fill_date, date)                \
    X(vehicle_reg, text)              \
    X(vehicle_reg_raw, text)          \
    X(driver_name, text)              \
    X(department, text)               \
    X(station, text)                  \
    X(litres, numeric)                \
    X(price_per_litre, numeric)       \
    X(amount, numeric)                \
    X(odometer_km, integer)           \
    X(fuel_type, text)                \
    X(payment_method, text)           \
    X(receipt_no, text)               \
    X(full_tank, boolean)             \
    X(notes, text)                    \
    X(flags, text_array)              \
    X(source_created_at, timestamptz) \
    X(source_updated_at, timestamptz) \
    X(source_deleted_at, timestamptz)

enum class TypedColumn : std::size_t {
#define FF_TYPED_COLUMN_ENUM(name, type) name,
    FF_TYPED_COLUMNS(FF_TYPED_COLUMN_ENUM)
#undef FF_TYPED_COLUMN_ENUM
};

struct TypedColumnSpec {
    std::string_view name;
    SqlType type;
};

inline constexpr std::array typed_column_set = {
#define FF_TYPED_COLUMN_SPEC(name, type) TypedColumnSpec{#name, SqlType::type},
    FF_TYPED_COLUMNS(FF_TYPED_COLUMN_SPEC)
#undef FF_TYPED_COLUMN_SPEC
};

inline constexpr std::size_t typed_column_count = typed_column_set.size();

// The type as PostgreSQL's format_type() writes it (what pg_attribute and pg_proc hold).
constexpr std::string_view sql_type_name(SqlType type) {
    switch (type) {
        case SqlType::text:
            return "text";
        case SqlType::timestamptz:
            return "timestamp with time zone";
        case SqlType::date:
            return "date";
        case SqlType::numeric:
            return "numeric";
        case SqlType::integer:
            return "integer";
        case SqlType::boolean:
            return "boolean";
        case SqlType::text_array:
            return "text[]";
    }
    return "text";
}

// Whether two values of the column are the same only when their texts are: a numeric's scale is
// part of what is stored (45.5 and 45.50 are equal numbers, different values), as fleetfuel
// verify and fuel.renormalise compare them.
constexpr bool compared_as_text(SqlType type) {
    return type == SqlType::numeric;
}

// "message_id, reported_at, ..., source_deleted_at", each name after `prefix` (e.g. "s.").
inline std::string typed_column_list(std::string_view prefix = "") {
    std::string out;
    for (const TypedColumnSpec& c : typed_column_set) {
        if (!out.empty()) out += ", ";
        out.append(prefix).append(c.name);
    }
    return out;
}

}  // namespace ff::parse
