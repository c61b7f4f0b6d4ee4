// CSV fields without a database: RFC 4180 quoting, and formulas made inert in text only.
#include "read/csv.hpp"

#include <catch2/catch.hpp>
#include <string>

using ff::read::append_csv_field;
using ff::read::CsvCell;

namespace {

std::string field(std::string_view value, CsvCell kind = CsvCell::text) {
    std::string out;
    append_csv_field(out, value, kind);
    return out;
}

}  // namespace

TEST_CASE("fields with a comma, a quote or a line break are quoted, quotes doubled", "[read]") {
    CHECK(field("Shell Westlands") == "Shell Westlands");
    CHECK(field("") == "");
    CHECK(field("Kamau, John") == "\"Kamau, John\"");
    CHECK(field("said \"full\"") == "\"said \"\"full\"\"\"");
    CHECK(field("line one\nline two") == "\"line one\nline two\"");
    CHECK(field("cr\r") == "\"cr\r\"");
    CHECK(field("Équipe ✓ 🚚") == "Équipe ✓ 🚚");  // UTF-8 passes through
}

TEST_CASE("text a spreadsheet would run as a formula gets a leading apostrophe", "[read]") {
    CHECK(field("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(field("+254700000000") == "'+254700000000");
    CHECK(field("-2+3") == "'-2+3");
    CHECK(field("@SUM(A1:A9)") == "'@SUM(A1:A9)");
    CHECK(field("\t=1") == "'\t=1");
    CHECK(field("\r=1") == "\"'\r=1\"");
    CHECK(field("a=1") == "a=1");  // only a leading character starts a formula
    CHECK(field(" =1") == " =1");
}

TEST_CASE("values FleetFuel writes itself are never escaped: a negative amount stays a number",
          "[read]") {
    CHECK(field("-12.50", CsvCell::value) == "-12.50");
    CHECK(field("2026-06-11", CsvCell::value) == "2026-06-11");
    CHECK(field("price_mismatch derived_amount", CsvCell::value) ==
          "price_mismatch derived_amount");
}
