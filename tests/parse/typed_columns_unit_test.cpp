// The C++ fast path of fuel.normalise on a handful of rows, with the texts the database will cast,
// and the rows it must leave to the database.
#include <catch2/catch.hpp>
#include <string>

#include "parse/typed_columns.hpp"

namespace {

using ff::parse::normalise_row_json;
using ff::parse::typed_column_set;

std::optional<std::string> column(const ff::parse::TypedColumns& c, std::string_view name) {
    for (std::size_t i = 0; i < typed_column_set.size(); ++i)
        if (typed_column_set[i].name == name) return c.values[i];
    FAIL("no column " << name);
    return std::nullopt;
}

}  // namespace

TEST_CASE("A typical export row gets every typed column as the database's input text") {
    const auto c = normalise_row_json(
        R"({"id": 1, "message_id": " wamid.1 ", "reported_at": "2026-06-11 08:30:12",
            "fill_date": "", "vehicle_reg": " kda-123a/ZF 1", "driver_name": "john \t kamau",
            "department": "sales  & DISTRIBUTION", "station": "Shell", "litres": "45.5 L",
            "price_per_litre": "KES 180.50", "odometer": "123,456 km", "fuel_type": "AGO",
            "payment_method": "M-Pesa", "receipt_no": "R-1", "full_tank": "Y", "notes": "",
            "created_at": "2026-06-10T22:30:00.1234567Z", "deleted_at": null})");
    REQUIRE(c);
    CHECK(column(*c, "message_id") == "wamid.1");
    CHECK(column(*c, "reported_at") == "2026-06-11 08:30:12+03:00");
    CHECK(column(*c, "fill_date") == "2026-06-11");
    CHECK(column(*c, "vehicle_reg") == "KDA123A");
    CHECK(column(*c, "vehicle_reg_raw") == " kda-123a/ZF 1");
    CHECK(column(*c, "driver_name") == "john kamau");
    CHECK(column(*c, "department") == "Sales & Distribution");
    CHECK(column(*c, "litres") == "45.5");
    CHECK(column(*c, "price_per_litre") == "180.50");
    CHECK(column(*c, "amount") == "8212.75");
    CHECK(column(*c, "odometer_km") == "123456");
    CHECK(column(*c, "fuel_type") == "diesel");
    CHECK(column(*c, "payment_method") == "mpesa");
    CHECK(column(*c, "full_tank") == "t");
    CHECK(column(*c, "notes") == std::nullopt);
    CHECK(column(*c, "flags") == "{derived_amount}");
    CHECK(column(*c, "source_created_at") == "2026-06-10 22:30:00.123456+00:00");
    CHECK(column(*c, "source_updated_at") == std::nullopt);
}

TEST_CASE("Derived amounts are rounded half away from zero to two decimals") {
    CHECK(column(*normalise_row_json(R"({"litres": 7200, "price_per_litre": 1})"), "amount") ==
          "7200.00");
    CHECK(column(*normalise_row_json(R"({"litres": -0.004, "price_per_litre": 1})"), "amount") ==
          "0.00");
    CHECK(column(*normalise_row_json(R"({"litres": 1.005, "price_per_litre": 1})"), "amount") ==
          "1.01");
    const auto price = normalise_row_json(R"({"litres": 3, "amount": 200})");
    CHECK(column(*price, "price_per_litre") == "66.67");
    CHECK(column(*price, "flags") == "{derived_price_per_litre}");
}

TEST_CASE("Rows whose reading is not certain are left to the database") {
    CHECK_FALSE(normalise_row_json(R"({"department": "Département"})"));
    CHECK_FALSE(normalise_row_json(R"({"litres": 1e2})"));
    CHECK_FALSE(normalise_row_json(R"({"litres": -0})"));
    CHECK_FALSE(normalise_row_json(R"({"station": {"name": "Shell"}})"));
    CHECK_FALSE(normalise_row_json(R"({"notes": "a\u0000b"})"));
    CHECK_FALSE(normalise_row_json(R"({"reported_at": "2026-06-11 at noon"})"));
    CHECK_FALSE(normalise_row_json(R"({"fuel_type": "DÍESEL"})"));
    CHECK_FALSE(normalise_row_json("{\"amount\": \"" + std::string(201, '1') + "\"}"));
    CHECK_FALSE(normalise_row_json("[1]"));
    CHECK_FALSE(normalise_row_json("{not json"));
    // Unknown fields do not matter, whatever they hold.
    CHECK(normalise_row_json(R"({"x_source_app": {"v": [1, 2e5, "three"]}})"));
}

TEST_CASE("Title case keeps an apostrophe inside its word, in ASCII, and declines other text") {
    auto department = [](const std::string& v) {
        const auto c = normalise_row_json(R"({"department": ")" + v + "\"}");
        REQUIRE(c);
        return column(*c, "department");
    };
    CHECK(department("o'neil  DEPT") == "O'neil Dept");
    CHECK(department("st.john x.y") == "St.John X.Y");
    CHECK(department("'twas 2ND-shift") == "'Twas 2nd-Shift");
    CHECK(department("INFINITI") == "Infiniti");
    CHECK_FALSE(normalise_row_json(R"({"department": "ÉQUIPE nord"})"));
    CHECK_FALSE(normalise_row_json(R"({"department": "O’NEIL"})"));
    CHECK_FALSE(normalise_row_json(R"({"payment_method": "VİSA"})"));
}

TEST_CASE("A currency word may carry a full stop, and blank notes and plates are missing") {
    const auto c = normalise_row_json(
        R"({"amount": "Ksh. 8,212.75", "price_per_litre": "180.50 KES.", "odometer": "123,456 km.",
            "notes": " \t ", "vehicle_reg": "  "})");
    REQUIRE(c);
    CHECK(column(*c, "amount") == "8212.75");
    CHECK(column(*c, "price_per_litre") == "180.50");
    CHECK(column(*c, "odometer_km") == std::nullopt);  // a unit takes no full stop
    CHECK(column(*c, "flags") == "{unparseable_number,derived_litres}");
    CHECK(column(*c, "notes") == std::nullopt);
    CHECK(column(*c, "vehicle_reg_raw") == std::nullopt);
    CHECK(column(*c, "vehicle_reg") == std::nullopt);
}
