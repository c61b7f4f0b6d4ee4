// Contract section 4: deriving the missing one of amount, litres and price, and price mismatches.
// Lets failed checks print the optional values they compared.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/fuel_database.hpp"

namespace {

using fftest::sql::FuelDatabase;
using Opt = std::optional<std::string>;
constexpr auto null = std::nullopt;

struct Money {
    std::string fields;  // JSON object members, without braces
    Opt litres;
    Opt price;
    Opt amount;
    std::string flags;
};

void check_money(const std::vector<Money>& cases) {
    FuelDatabase db;
    long long id = 1;
    for (const auto& c : cases) {
        const std::string raw = "{\"id\": " + std::to_string(id) + ", " + c.fields + "}";
        INFO("raw row: " << raw);
        const auto columns = db.insert(id++, raw);
        CHECK(columns.at("litres") == c.litres);
        CHECK(columns.at("price_per_litre") == c.price);
        CHECK(columns.at("amount") == c.amount);
        CHECK(columns.at("flags") == c.flags);
    }
}

}  // namespace

TEST_CASE(
    "Exactly one missing of amount, litres and price is derived from the other two, rounded to 2 "
    "decimals") {
    check_money({
        {R"("litres": 45.5, "price_per_litre": 180.5)", "45.5", "180.5", "8212.75",
         "{derived_amount}"},
        {R"("litres": "45.5 L", "price_per_litre": "KES 180.50", "amount": "")", "45.5", "180.50",
         "8212.75", "{derived_amount}"},
        {R"("litres": "45.5", "amount": "KES 8,212.75")", "45.5", "180.50", "8212.75",
         "{derived_price_per_litre}"},
        {R"("price_per_litre": 180.5, "amount": "8212.75")", "45.50", "180.5", "8212.75",
         "{derived_litres}"},
        // Rounding half away from zero, to 2 decimals.
        {R"("litres": 10.333, "price_per_litre": 100.005)", "10.333", "100.005", "1033.35",
         "{derived_amount}"},
        {R"("litres": 1.005, "price_per_litre": 1)", "1.005", "1", "1.01", "{derived_amount}"},
        {R"("litres": 3, "amount": 100)", "3", "33.33", "100", "{derived_price_per_litre}"},
        {R"("litres": 3, "amount": 200)", "3", "66.67", "200", "{derived_price_per_litre}"},
        {R"("price_per_litre": 3, "amount": 100)", "33.33", "3", "100", "{derived_litres}"},
        // An unreadable value is missing, so it is derived too, and both flags show.
        {R"("litres": "45,5", "price_per_litre": 180.5, "amount": 8212.75)", "45.50", "180.5",
         "8212.75", "{unparseable_number,derived_litres}"},
        // Two missing: nothing to derive from.
        {R"("litres": 45.5)", "45.5", null, null, "{}"},
        {R"("amount": 8212.75)", null, null, "8212.75", "{}"},
        // Dividing by zero is not computable: the value stays missing.
        {R"("litres": 0, "amount": 100)", "0", null, "100", "{}"},
        {R"("price_per_litre": 0, "amount": 100)", null, "0", "100", "{}"},
        {R"("litres": 0, "price_per_litre": 180.5)", "0", "180.5", "0.00", "{derived_amount}"},
    });
}

TEST_CASE(
    "A price mismatch is flagged only when litres times price is more than 2 % away from the "
    "amount") {
    check_money({
        {R"("litres": 45.5, "price_per_litre": 180.5, "amount": 8212.75)", "45.5", "180.5",
         "8212.75", "{}"},
        {R"("litres": 1, "price_per_litre": 102, "amount": 100)", "1", "102", "100", "{}"},
        {R"("litres": 1, "price_per_litre": 98, "amount": 100)", "1", "98", "100", "{}"},
        {R"("litres": 1, "price_per_litre": 102.01, "amount": 100)", "1", "102.01", "100",
         "{price_mismatch}"},
        {R"("litres": 1, "price_per_litre": 97.99, "amount": 100)", "1", "97.99", "100",
         "{price_mismatch}"},
        {R"("litres": 45.5, "price_per_litre": 180.5, "amount": "8212/=")", "45.5", "180.5", "8212",
         "{}"},
        {R"("litres": 40, "price_per_litre": 180.5, "amount": 8212.75)", "40", "180.5", "8212.75",
         "{price_mismatch}"},
        {R"("litres": 1, "price_per_litre": 1, "amount": 0)", "1", "1", "0", "{price_mismatch}"},
    });
}

TEST_CASE("Flags come out once each in the contract's order") {
    FuelDatabase db;
    const auto columns =
        db.insert(1, R"({"id": 1, "litres": 40, "price_per_litre": 180.5, "amount": 8212.75,
        "odometer": "12.5", "fill_date": "someday", "full_tank": "perhaps", "reported_at": "2026-06-11 08:00"})");
    CHECK(columns.at("flags") ==
          "{unparseable_number,price_mismatch,unreadable_date,unparseable_bool}");
    const auto derived =
        db.insert(2, R"({"id": 2, "litres": "x", "price_per_litre": 180.5, "amount": 8212.75,
        "odometer": "y"})");
    CHECK(derived.at("flags") == "{unparseable_number,derived_litres}");
}
