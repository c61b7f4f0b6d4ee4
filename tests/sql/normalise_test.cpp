// Contract section 4: every example value of the row table and the edge cases of each rule.
// Lets failed checks print the optional values they compared.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/fuel_database.hpp"

namespace {

using fftest::sql::FuelDatabase;

struct Case {
    std::string fields;                   // JSON object members, without braces
    std::string column;                   // normalised column to check
    std::optional<std::string> expected;  // its value as text, nullopt for NULL
    std::string flags;                    // the whole flags array as text
};

constexpr auto null = std::nullopt;

void check_cases(const std::vector<Case>& cases) {
    FuelDatabase db;
    long long id = 1;
    for (const auto& c : cases) {
        const std::string raw =
            "{\"id\": " + std::to_string(id) + (c.fields.empty() ? "" : ", ") + c.fields + "}";
        INFO("raw row: " << raw);
        const auto columns = db.insert(id++, raw);
        CHECK(columns.at(c.column) == c.expected);
        CHECK(columns.at("flags") == c.flags);
    }
}

}  // namespace

TEST_CASE("Litres, prices and amounts written every way the contract shows read as plain numbers") {
    check_cases({
        {R"("litres": 45.5)", "litres", "45.5", "{}"},
        {R"("litres": "45.5")", "litres", "45.5", "{}"},
        {R"("litres": "1,045.50")", "litres", "1045.50", "{}"},
        {R"("litres": "45.5 L")", "litres", "45.5", "{}"},
        {R"("litres": "45.5ltrs")", "litres", "45.5", "{}"},
        {R"("litres": "45.5 LTRS")", "litres", "45.5", "{}"},
        {R"("litres": "45.5l")", "litres", "45.5", "{}"},
        {"\"litres\": \"\\t45.5\\t\"", "litres", "45.5", "{}"},
        {R"("litres": 0)", "litres", "0", "{}"},
        {R"("litres": "-12.5")", "litres", "-12.5", "{}"},
        {R"("litres": -12.5)", "litres", "-12.5", "{}"},
        {R"("litres": ".5")", "litres", "0.5", "{}"},
        {R"("litres": "1,234,567.8")", "litres", "1234567.8", "{}"},
        {R"("price_per_litre": 180.5)", "price_per_litre", "180.5", "{}"},
        {R"("price_per_litre": "180.50")", "price_per_litre", "180.50", "{}"},
        {R"("price_per_litre": "KES 180.50")", "price_per_litre", "180.50", "{}"},
        {R"("amount": 8212.75)", "amount", "8212.75", "{}"},
        {R"("amount": "8,212.75")", "amount", "8212.75", "{}"},
        {R"("amount": "KES 8,212.75")", "amount", "8212.75", "{}"},
        {R"("amount": "Ksh 8212")", "amount", "8212", "{}"},
        {R"("amount": "KSh 8212")", "amount", "8212", "{}"},
        {R"("amount": "kes8212")", "amount", "8212", "{}"},
        {R"("amount": "8212/=")", "amount", "8212", "{}"},
        {R"("amount": "KSH 8,212/=")", "amount", "8212", "{}"},
        {R"("amount": "8,212")", "amount", "8212", "{}"},
    });
}

TEST_CASE(
    "A number that is still not plain after cleaning is NULL and flags the row, an empty one is "
    "just missing") {
    check_cases({
        {R"("litres": "45,5")", "litres", null, "{unparseable_number}"},
        {R"("litres": "1,0455")", "litres", null, "{unparseable_number}"},
        {R"("litres": "12,34")", "litres", null, "{unparseable_number}"},
        {R"("litres": "1.045,50")", "litres", null, "{unparseable_number}"},
        {R"("litres": "about 40")", "litres", null, "{unparseable_number}"},
        {R"("litres": "1e5")", "litres", null, "{unparseable_number}"},
        {R"("litres": "NaN")", "litres", null, "{unparseable_number}"},
        {R"("litres": "Infinity")", "litres", null, "{unparseable_number}"},
        {R"("litres": "45.5.1")", "litres", null, "{unparseable_number}"},
        {R"("litres": "L")", "litres", null, "{unparseable_number}"},
        {R"("amount": "KES")", "amount", null, "{unparseable_number}"},
        {R"("litres": true)", "litres", null, "{unparseable_number}"},
        {R"("litres": [45.5])", "litres", null, "{unparseable_number}"},
        {R"("litres": {"v": 45.5})", "litres", null, "{unparseable_number}"},
        {R"("litres": "1234567890123456")", "litres", null, "{unparseable_number}"},
        {R"("litres": 1e400)", "litres", null, "{unparseable_number}"},
        {R"("litres": "")", "litres", null, "{}"},
        {"\"litres\": \" \\t \"", "litres", null, "{}"},
        {R"("litres": null)", "litres", null, "{}"},
        {R"("station": "no numbers at all")", "litres", null, "{}"},
    });
}

TEST_CASE(
    "Odometer readings are whole kilometres, 0 stays 0, fractions and out-of-range values are "
    "flagged") {
    check_cases({
        {R"("odometer": 123456)", "odometer_km", "123456", "{}"},
        {R"("odometer": "123,456 km")", "odometer_km", "123456", "{}"},
        {R"("odometer": "123456KM")", "odometer_km", "123456", "{}"},
        {R"("odometer": "123456 Km")", "odometer_km", "123456", "{}"},
        {R"("odometer": 0)", "odometer_km", "0", "{}"},
        {R"("odometer": "0")", "odometer_km", "0", "{}"},
        {R"("odometer": null)", "odometer_km", null, "{}"},
        {R"("odometer": "")", "odometer_km", null, "{}"},
        {R"("odometer": 123456.0)", "odometer_km", "123456", "{}"},
        {R"("odometer": 2147483647)", "odometer_km", "2147483647", "{}"},
        {R"("odometer": 2147483648)", "odometer_km", null, "{unparseable_number}"},
        {R"("odometer": "99999999999")", "odometer_km", null, "{unparseable_number}"},
        {R"("odometer": 12.5)", "odometer_km", null, "{unparseable_number}"},
        {R"("odometer": "12.5 km")", "odometer_km", null, "{unparseable_number}"},
        {R"("odometer": -5)", "odometer_km", null, "{unparseable_number}"},
        {R"("odometer": "123.456,7")", "odometer_km", null, "{unparseable_number}"},
        {R"("odometer": "unknown")", "odometer_km", null, "{unparseable_number}"},
    });
}

TEST_CASE("Plates are upper case A-Z0-9 before the first slash, and the typed plate is kept") {
    check_cases({
        {R"("vehicle_reg": "KDA 123A")", "vehicle_reg", "KDA123A", "{}"},
        {R"("vehicle_reg": "kda123a")", "vehicle_reg", "KDA123A", "{}"},
        {R"("vehicle_reg": " KDA-123A ")", "vehicle_reg", "KDA123A", "{}"},
        {R"("vehicle_reg": " kda-123a ")", "vehicle_reg", "KDA123A", "{}"},
        {R"("vehicle_reg": "KBZ 456B/ZF 1234")", "vehicle_reg", "KBZ456B", "{}"},
        {R"("vehicle_reg": "kdä 123a")", "vehicle_reg", "KD123A", "{}"},
        {R"("vehicle_reg": "/ZF 1234")", "vehicle_reg", null, "{}"},
        {R"("vehicle_reg": "")", "vehicle_reg", null, "{}"},
        {R"("vehicle_reg": " - ")", "vehicle_reg", null, "{}"},
        {R"("vehicle_reg": 1234)", "vehicle_reg", "1234", "{}"},
        {R"("vehicle_reg": " KDA-123A ")", "vehicle_reg_raw", " KDA-123A ", "{}"},
        {R"("vehicle_reg": "KBZ 456B/ZF 1234")", "vehicle_reg_raw", "KBZ 456B/ZF 1234", "{}"},
    });
}

TEST_CASE("Names, stations and departments are collapsed, and departments are title case") {
    check_cases({
        {R"("driver_name": "John Kamau")", "driver_name", "John Kamau", "{}"},
        {R"("driver_name": " john kamau ")", "driver_name", "john kamau", "{}"},
        {"\"driver_name\": \"\\tjohn \\t  kamau\\t\"", "driver_name", "john kamau", "{}"},
        {R"("driver_name": "   ")", "driver_name", null, "{}"},
        {R"("station": "Shell Westlands")", "station", "Shell Westlands", "{}"},
        {R"("station": "  shell   WESTLANDS ")", "station", "shell WESTLANDS", "{}"},
        {R"("department": "Logistics")", "department", "Logistics", "{}"},
        {R"("department": "logistics ")", "department", "Logistics", "{}"},
        {R"("department": "LOGISTICS")", "department", "Logistics", "{}"},
        {R"("department": "Sales  & Distribution")", "department", "Sales & Distribution", "{}"},
        {R"("department": " sales &  DISTRIBUTION ")", "department", "Sales & Distribution", "{}"},
        {R"("department": "")", "department", null, "{}"},
        {R"("department": null)", "department", null, "{}"},
        {R"("message_id": "wamid.HBgMMjU0NzIyMDAwMDAwFQIAEhgg")", "message_id",
         "wamid.HBgMMjU0NzIyMDAwMDAwFQIAEhgg", "{}"},
        {R"("receipt_no": "R-00123")", "receipt_no", "R-00123", "{}"},
        {R"("notes": "paid ✓ — ümlaut 日本 🚚")", "notes", "paid ✓ — ümlaut 日本 🚚", "{}"},
    });
}

TEST_CASE("Fuel types and payment methods are mapped as the contract lists") {
    check_cases({
        {R"("fuel_type": "diesel")", "fuel_type", "diesel", "{}"},
        {R"("fuel_type": "Diesel")", "fuel_type", "diesel", "{}"},
        {R"("fuel_type": "AGO")", "fuel_type", "diesel", "{}"},
        {R"("fuel_type": " ago ")", "fuel_type", "diesel", "{}"},
        {R"("fuel_type": "PMS")", "fuel_type", "petrol", "{}"},
        {R"("fuel_type": "super")", "fuel_type", "petrol", "{}"},
        {R"("fuel_type": "petrol")", "fuel_type", "petrol", "{}"},
        {R"("fuel_type": "Unleaded")", "fuel_type", "petrol", "{}"},
        {R"("fuel_type": " V-Power ")", "fuel_type", "v-power", "{}"},
        {R"("fuel_type": "")", "fuel_type", null, "{}"},
        {R"("payment_method": "card")", "payment_method", "card", "{}"},
        {R"("payment_method": "cash")", "payment_method", "cash", "{}"},
        {R"("payment_method": "M-Pesa")", "payment_method", "mpesa", "{}"},
        {R"("payment_method": "mpesa")", "payment_method", "mpesa", "{}"},
        {R"("payment_method": "M - PESA")", "payment_method", "mpesa", "{}"},
        {R"("payment_method": "Fuel Card")", "payment_method", "fuelcard", "{}"},
        {R"("payment_method": " ")", "payment_method", null, "{}"},
    });
}

TEST_CASE("Full tank accepts yes/no words, 1/0 and JSON booleans, and flags anything else") {
    check_cases({
        {R"("full_tank": true)", "full_tank", "true", "{}"},
        {R"("full_tank": false)", "full_tank", "false", "{}"},
        {R"("full_tank": "yes")", "full_tank", "true", "{}"},
        {R"("full_tank": "no")", "full_tank", "false", "{}"},
        {R"("full_tank": "Y")", "full_tank", "true", "{}"},
        {R"("full_tank": "n")", "full_tank", "false", "{}"},
        {R"("full_tank": " TRUE ")", "full_tank", "true", "{}"},
        {R"("full_tank": "False")", "full_tank", "false", "{}"},
        {R"("full_tank": 1)", "full_tank", "true", "{}"},
        {R"("full_tank": 0)", "full_tank", "false", "{}"},
        {R"("full_tank": "1")", "full_tank", "true", "{}"},
        {R"("full_tank": null)", "full_tank", null, "{}"},
        {R"("full_tank": "")", "full_tank", null, "{}"},
        {R"("full_tank": "maybe")", "full_tank", null, "{unparseable_bool}"},
        {R"("full_tank": 2)", "full_tank", null, "{unparseable_bool}"},
        {R"("full_tank": "yes please")", "full_tank", null, "{unparseable_bool}"},
    });
}

TEST_CASE(
    "Fill dates are read day first in every written form, else fall back to the Nairobi date of "
    "the report") {
    const std::string at =
        R"("reported_at": "2026-06-10T22:30:00Z")";  // 2026-06-11 01:30 in Nairobi
    check_cases({
        {R"("fill_date": "2026-06-11")", "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": "11/06/2026")", "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": "11-06-2026")", "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": "1/6/2026")", "fill_date", "2026-06-01", "{}"},
        {R"("fill_date": "1-6-2026")", "fill_date", "2026-06-01", "{}"},
        {R"("fill_date": "2026-6-1")", "fill_date", "2026-06-01", "{}"},
        {R"("fill_date": " 29/02/2024 ")", "fill_date", "2024-02-29", "{}"},
        {R"("fill_date": "2026-06-11T00:00:00Z")", "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": "2026-06-11T23:30:00-05:00")", "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": "2026-06-11 08:30:12")", "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": "", )" + at, "fill_date", "2026-06-11", "{}"},
        {at, "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": null, )" + at, "fill_date", "2026-06-11", "{}"},
        {R"("fill_date": "31/02/2026", )" + at, "fill_date", "2026-06-11", "{unreadable_date}"},
        {R"("fill_date": "06/31/2026", )" + at, "fill_date", "2026-06-11", "{unreadable_date}"},
        {R"("fill_date": "yesterday", )" + at, "fill_date", "2026-06-11", "{unreadable_date}"},
        {R"("fill_date": 20260611, )" + at, "fill_date", "2026-06-11", "{unreadable_date}"},
        {R"("fill_date": "11.06.2026", )" + at, "fill_date", "2026-06-11", "{unreadable_date}"},
        {R"("fill_date": "yesterday")", "fill_date", null, "{unreadable_date}"},
        {R"("fill_date": "")", "fill_date", null, "{}"},
        {R"("driver_name": "x")", "fill_date", null, "{}"},
    });
}

TEST_CASE(
    "Timestamps without an offset are Nairobi time whatever the session time zone, with one as "
    "written") {
    check_cases({
        {R"("reported_at": "2026-06-11T08:30:12+03:00")", "reported_at",
         "2026-06-11T05:30:12.000000Z", "{}"},
        {R"("reported_at": "2026-06-11 08:30:12")", "reported_at", "2026-06-11T05:30:12.000000Z",
         "{}"},
        {R"("reported_at": "2026-06-11T08:30:12")", "reported_at", "2026-06-11T05:30:12.000000Z",
         "{}"},
        {R"("reported_at": "2026-06-11T05:30:12Z")", "reported_at", "2026-06-11T05:30:12.000000Z",
         "{}"},
        {R"("reported_at": "2026-06-11 05:30:12 UTC")", "reported_at",
         "2026-06-11T05:30:12.000000Z", "{}"},
        {R"("reported_at": "2026-06-11T08:30:12.123456+0300")", "reported_at",
         "2026-06-11T05:30:12.123456Z", "{}"},
        {R"("reported_at": "2026-06-11T00:30:12-05")", "reported_at", "2026-06-11T05:30:12.000000Z",
         "{}"},
        {R"("reported_at": "2026-06-11 08:30")", "reported_at", "2026-06-11T05:30:00.000000Z",
         "{}"},
        {R"("reported_at": "2026-06-11")", "reported_at", "2026-06-10T21:00:00.000000Z", "{}"},
        {R"("reported_at": "2026-02-30 08:30:12")", "reported_at", null, "{}"},
        {R"("reported_at": "2026-06-11 25:00:00")", "reported_at", null, "{}"},
        {R"("reported_at": "11/06/2026 08:30")", "reported_at", null, "{}"},
        {R"("reported_at": 1781155812)", "reported_at", null, "{}"},
        {R"("reported_at": "")", "reported_at", null, "{}"},
        {R"("created_at": "2026-06-11 08:30:12")", "source_created_at",
         "2026-06-11T05:30:12.000000Z", "{}"},
        {R"("updated_at": "2026-06-11T08:31:00+03:00")", "source_updated_at",
         "2026-06-11T05:31:00.000000Z", "{}"},
        {R"("deleted_at": "2026-06-12T00:00:00Z")", "source_deleted_at",
         "2026-06-12T00:00:00.000000Z", "{}"},
        {R"("deleted_at": null)", "source_deleted_at", null, "{}"},
    });
}

TEST_CASE("A row with every field missing but its id normalises to NULLs and no flags") {
    FuelDatabase db;
    const auto columns = db.insert(7, R"({"id": 7})");
    for (const auto& [name, value] : columns) {
        INFO(name);
        if (name == "flags")
            CHECK(value == "{}");
        else
            CHECK(value == std::nullopt);
    }
}

TEST_CASE("Results do not depend on the session time zone or date style") {
    FuelDatabase db;
    const std::string raw =
        R"({"id": 1, "reported_at": "2026-06-11 23:30:00", "fill_date": "1/2/2026", "created_at": "2026-06-11 08:30:12"})";
    const auto in_los_angeles = db.insert(1, raw);
    db.session().exec("SET TimeZone = 'Pacific/Kiritimati'; SET DateStyle = 'ISO, MDY'");
    const auto in_kiritimati = db.insert(2, raw);
    CHECK(in_los_angeles == in_kiritimati);
    CHECK(in_kiritimati.at("fill_date") == "2026-02-01");
    CHECK(in_kiritimati.at("reported_at") == "2026-06-11T20:30:00.000000Z");
}

TEST_CASE(
    "A currency word may carry a full stop, so 'Ksh. 500' is 500, and a unit may not (contract "
    "v1.1)") {
    check_cases({
        {R"("amount": "Ksh. 500")", "amount", "500", "{}"},
        {R"("amount": "KES. 8,212")", "amount", "8212", "{}"},
        {R"("amount": "KES.8212")", "amount", "8212", "{}"},
        {R"("amount": "ksh.8,212.75")", "amount", "8212.75", "{}"},
        {R"("amount": "8212 KES.")", "amount", "8212", "{}"},
        {R"("amount": "8212/= Ksh.")", "amount", "8212", "{}"},
        {R"("amount": "Ksh. KES. 500")", "amount", "500", "{}"},
        {R"("price_per_litre": "Ksh. 180.50")", "price_per_litre", "180.50", "{}"},
        {R"("amount": "Ksh. 500.")", "amount", "500", "{}"},
        // Spaces go first, as for every other rule: the full stop is then right after the word.
        {R"("amount": "KES .5")", "amount", "5", "{}"},
        {R"("amount": "Ksh.")", "amount", null, "{unparseable_number}"},
        {R"("amount": "Ksh. five hundred")", "amount", null, "{unparseable_number}"},
        {R"("amount": "500 K.sh")", "amount", null, "{unparseable_number}"},
        {R"("litres": "45.5 L.")", "litres", null, "{unparseable_number}"},
        {R"("odometer": "123,456 km.")", "odometer_km", null, "{unparseable_number}"},
        {R"("odometer": "KES. 123456")", "odometer_km", "123456", "{}"},
    });
}

TEST_CASE(
    "Upper, lower and title case follow Unicode's mappings, never the database's locale "
    "(contract v1.1)") {
    check_cases({
        {R"("department": "o'neil  DEPT")", "department", "O'neil Dept", "{}"},
        {R"("department": "st.john x.y")", "department", "St.John X.Y", "{}"},
        {R"("department": "ÉQUIPE nord")", "department", "Équipe Nord", "{}"},
        {R"("department": "LOGISTICS")", "department", "Logistics", "{}"},
        {R"("department": "INFINITI FLEET")", "department", "Infiniti Fleet", "{}"},
        {R"("department": "2ND-SHIFT 4x4")", "department", "2nd-Shift 4x4", "{}"},
        {R"("department": "'twas O’NEIL")", "department", "'Twas O’neil", "{}"},
        {R"("department": "ΤΜΗΜΑ ΣΤΟΛΟΥ")", "department", "Τμημα Στολου", "{}"},
        {R"("department": "İSTANBUL ışık")", "department", "İstanbul Işık", "{}"},
        {"\"department\": \"e\\u0301QUIPE\"", "department", "E\u0301quipe", "{}"},
        {R"("fuel_type": "DIESEL")", "fuel_type", "diesel", "{}"},
        {R"("fuel_type": "KEROSINE")", "fuel_type", "kerosine", "{}"},
        {R"("fuel_type": "DİESEL")", "fuel_type", "diesel", "{}"},
        {R"("fuel_type": "ÉTHANOL")", "fuel_type", "éthanol", "{}"},
        {R"("payment_method": "VISA")", "payment_method", "visa", "{}"},
        {R"("payment_method": "INVOICE")", "payment_method", "invoice", "{}"},
        {R"("full_tank": "YES")", "full_tank", "true", "{}"},
        {R"("vehicle_reg": "kdi 123i")", "vehicle_reg", "KDI123I", "{}"},
    });
}

TEST_CASE(
    "An empty or all-whitespace string is missing in every field, without a flag (contract "
    "v1.1)") {
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"message_id", "message_id"},
        {"reported_at", "reported_at"},
        {"fill_date", "fill_date"},
        {"vehicle_reg", "vehicle_reg"},
        {"vehicle_reg", "vehicle_reg_raw"},
        {"driver_name", "driver_name"},
        {"department", "department"},
        {"station", "station"},
        {"litres", "litres"},
        {"price_per_litre", "price_per_litre"},
        {"amount", "amount"},
        {"odometer", "odometer_km"},
        {"fuel_type", "fuel_type"},
        {"payment_method", "payment_method"},
        {"receipt_no", "receipt_no"},
        {"full_tank", "full_tank"},
        {"notes", "notes"},
        {"created_at", "source_created_at"},
        {"updated_at", "source_updated_at"},
        {"deleted_at", "source_deleted_at"}};
    std::vector<Case> cases;
    for (const auto& [field, column] : fields) {
        for (const char* blank : {R"("")", R"(" ")", R"("\t \t")"})
            cases.push_back({"\"" + field + "\": " + blank, column, null, "{}"});
    }
    check_cases(cases);
}
