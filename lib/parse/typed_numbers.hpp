// The numbers of fuel.normalise (litres, price, amount, odometer, derivations) read in C++,
// exactly as sql/R__010_normalise.sql reads them, or declined. Internal to typed_columns.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ff::parse::detail {

// A numeric as PostgreSQL holds it after numeric_in: sign, digits and the written scale (dscale).
struct Decimal {
    bool negative = false;
    bool zero = true;
    bool small = true;           // at most 18 significant digits: the arithmetic here is exact
    std::uint64_t unscaled = 0;  // |value| * 10^scale, when small
    int scale = 0;               // digits after the point as written
    int digits = 0;              // significant digits of unscaled (0 for zero)
};

// litres, price_per_litre or amount as fuel.normalise reads it.
struct NumberField {
    std::optional<std::string> text;  // what the SQL casts to numeric; nullopt is NULL
    Decimal value;
    bool unparseable = false;  // non-blank but NULL: the flag unparseable_number
};

// The IF/ELSIF chain of fuel.normalise after the three numbers are read.
struct Derivation {
    bool mismatch = false, derived_amount = false, derived_litres = false, derived_price = false;
};

// `raw` is `raw ->> 'key'`; false means the row must be declined.
bool read_number(std::optional<std::string_view> raw, NumberField& out);
bool read_odometer(std::optional<std::string_view> raw, std::optional<std::string>& out,
                   bool& unparseable);
// Fills the missing one of the three (as its numeric text) or decides price_mismatch.
bool derive_amounts(NumberField& litres, NumberField& price, NumberField& amount, Derivation& d);

}  // namespace ff::parse::detail
