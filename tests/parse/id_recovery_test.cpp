// The id read from a row that cannot be parsed: only its own top-level "id", as jsonb would see
// it, exact integers only, the same whether the element is read whole or a byte at a time.
#include "parse/id_recovery.hpp"

#include <catch2/catch.hpp>
#include <string>

using ff::parse::IdScanner;
using ff::parse::integral_value;
using ff::parse::recover_id;

namespace {

// The scanner fed one byte at a time must agree with the whole text.
std::optional<long long> bytewise(std::string_view element) {
    IdScanner scanner;
    for (const char c : element) scanner.feed(std::string_view(&c, 1));
    return scanner.id();
}

std::optional<long long> both(std::string_view element) {
    const auto whole = recover_id(element);
    CHECK(bytewise(element) == whole);
    return whole;
}

}  // namespace

TEST_CASE("An id is an exact integer within int64, however the number is written") {
    CHECK(integral_value("17") == 17);
    CHECK(integral_value("-5") == -5);
    CHECK(integral_value("007") == 7);
    CHECK(integral_value("17.0") == 17);
    CHECK(integral_value("17.000") == 17);
    CHECK(integral_value("1.7e1") == 17);
    CHECK(integral_value("170E-1") == 17);
    CHECK(integral_value("-0") == 0);
    CHECK(integral_value("0e999999") == 0);
    CHECK(integral_value("9223372036854775807") == 9223372036854775807LL);
    CHECK(integral_value("-9223372036854775808") == std::numeric_limits<long long>::min());
    CHECK_FALSE(integral_value("9223372036854775808"));
    CHECK_FALSE(integral_value("17.5"));
    CHECK_FALSE(integral_value("1e-1"));
    CHECK_FALSE(integral_value("1e999999"));
    CHECK_FALSE(integral_value("1e20"));
    CHECK_FALSE(integral_value(std::string(5000, '9')));
    CHECK_FALSE(integral_value(""));
    CHECK_FALSE(integral_value("-"));
    CHECK_FALSE(integral_value("+17"));
    CHECK_FALSE(integral_value("17."));
    CHECK_FALSE(integral_value(".5"));
    CHECK_FALSE(integral_value("1e"));
    CHECK_FALSE(integral_value("0x11"));
    CHECK_FALSE(integral_value("17 "));
    CHECK_FALSE(integral_value("abc"));
}

TEST_CASE("The id of an unreadable row is read from its own top-level id member") {
    CHECK(both(R"({"id":17,"notes":"\udc00"})") == 17);
    CHECK(both("{\"notes\":\"\xFF\",\"id\":18}") == 18);
    CHECK(both(R"({"litres":1e999999,"id":"19"})") == 19);
    CHECK(both(R"({"id":" 20 "})") == 20);
    CHECK(both(R"({"id":17.0})") == 17);
    CHECK(both(R"({"id":"17.0"})") == 17);
    CHECK(both(R"( { "id" : 21 } )") == 21);
    CHECK(both(R"({"x":[[[[{"id":5}]]]],"id":22,"y":{"id":6}})") == 22);
}

TEST_CASE("Member names and strings are decoded as the tree parser decodes them") {
    CHECK(both(R"({"\u0069\u0064":23})") == 23);
    CHECK(both(R"({"i\u0000d":24})") == 24);              // U+0000 dropped: the name is "id"
    CHECK(both("{\"i\0d\":25}") == std::nullopt);         // (a C string ends at the NUL)
    CHECK(both(std::string("{\"i\0d\":25}", 10)) == 25);  // a raw NUL is dropped too
    CHECK(both(R"({"id":"2\u00006"})") == 26);
    CHECK(both(R"({"id":"\u0032\u0037"})") == 27);
    // Many dropped characters do not make a name too long to be "id".
    std::string padded = R"({"i)";
    for (int i = 0; i < 200; ++i) padded += R"(\u0000)";
    padded += R"(d":28})";
    CHECK(both(padded) == 28);
}

TEST_CASE("Only the element's own id counts: not a nested one, not one inside a string") {
    CHECK(both(R"({"row":{"id":5}})") == std::nullopt);
    CHECK(both(R"({"notes":"\"id\":5","x":1})") == std::nullopt);
    CHECK(both(R"({"notes":"{\"id\":5}"})") == std::nullopt);
    CHECK(both(R"({"ids":5,"idx":6,"Id":7,"ID":8})") == std::nullopt);
    CHECK(both(R"({"a":"}","id":9})") == 9);
    CHECK(both(R"({"a":"\\","id":10})") == 10);
    CHECK(both(R"({"a":["]",{"}":"{"}],"id":11})") == 11);
}

TEST_CASE("The last id member wins, as in jsonb, also when it cannot be read") {
    CHECK(both(R"({"id":1,"id":2})") == 2);
    CHECK(both(R"({"id":1,"x":0,"\u0069d":3})") == 3);
    CHECK(both(R"({"id":1,"id":"abc"})") == std::nullopt);
    CHECK(both(R"({"id":1,"id":null})") == std::nullopt);
    CHECK(both(R"({"id":"abc","id":4})") == 4);
}

TEST_CASE("An id that is not an exact integer cannot be recovered") {
    CHECK(both(R"({"id":17.5})") == std::nullopt);
    CHECK(both(R"({"id":1e999999})") == std::nullopt);
    CHECK(both(R"({"id":99999999999999999999})") == std::nullopt);
    CHECK(both(R"({"id":null})") == std::nullopt);
    CHECK(both(R"({"id":true})") == std::nullopt);
    CHECK(both(R"({"id":{"value":5}})") == std::nullopt);
    CHECK(both(R"({"id":[5]})") == std::nullopt);
    CHECK(both(R"({"id":"abc"})") == std::nullopt);
    CHECK(both(R"({"id":"17\u00e9"})") == std::nullopt);
    CHECK(both(R"({"id":"1)" + std::string(100, '0') + R"("})") == std::nullopt);
    CHECK(both(R"({"litres":4})") == std::nullopt);
    CHECK(both(R"({})") == std::nullopt);
}

TEST_CASE("An element that is not an object, or not seen whole, has no id") {
    CHECK(both("[17]") == std::nullopt);
    CHECK(both("17") == std::nullopt);
    CHECK(both(R"("id")") == std::nullopt);
    CHECK(both("null") == std::nullopt);
    CHECK(both(R"({"id":17)") == std::nullopt);
    CHECK(both(R"({"id":17,"x":[1,2)") == std::nullopt);
}

TEST_CASE("Nesting past every cap is skipped by counting brackets") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK(both(R"({"x":)" + deep + R"(,"id":29})") == 29);
    CHECK(both(R"({"id":30,"x":)" + deep + "}") == 30);
}
