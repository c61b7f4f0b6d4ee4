// Change elements: op, id agreement between change and row, delete without a row.
#include <catch2/catch.hpp>
#include <string>

#include "parse/limits.hpp"
#include "parse/row_parser.hpp"

using ff::parse::ParsedChange;
using ff::parse::RowReject;

namespace {

ParsedChange change_ok(std::string_view element) {
    auto result = ff::parse::parse_change(element);
    if (auto* reject = std::get_if<RowReject>(&result)) FAIL("rejected: " << reject->reason);
    return std::get<ParsedChange>(result);
}

RowReject change_reject(std::string_view element) {
    auto result = ff::parse::parse_change(element);
    if (auto* reject = std::get_if<RowReject>(&result)) return *reject;
    return RowReject{"accepted", std::nullopt};
}

}  // namespace

TEST_CASE("A change carries its lower-cased op, id, changed_at and the parsed row") {
    const ParsedChange c = change_ok(
        R"({"op":"INSERT","id":1923,"changed_at":"2026-06-11T20:14:58Z","row":{"litres":"45.5","id":1923}})");
    CHECK(c.op == "insert");
    CHECK(c.id == 1923);
    CHECK(c.changed_at == "2026-06-11T20:14:58Z");
    REQUIRE(c.row.has_value());
    CHECK(c.row->canonical == R"({"id":1923,"litres":"45.5"})");
    CHECK(c.row->hash_hex.size() == 32);
    CHECK(change_ok(R"({"op":"UpSeRt","id":"7","row":{"id":7}})").op == "upsert");
    CHECK(change_ok(R"({"op":"Update","row":{"id":8}})").id == 8);
}

TEST_CASE("A delete needs no row") {
    const ParsedChange null_row =
        change_ok(R"({"op":"delete","id":4,"changed_at":"2026-06-11T20:15:00Z","row":null})");
    CHECK(null_row.op == "delete");
    CHECK(null_row.id == 4);
    CHECK_FALSE(null_row.row.has_value());
    CHECK_FALSE(change_ok(R"({"op":"DELETE","id":"5"})").row.has_value());
}

TEST_CASE("A row without its own id takes the change's id") {
    const ParsedChange c = change_ok(R"({"op":"update","id":3,"row":{"litres":1}})");
    REQUIRE(c.row.has_value());
    CHECK(c.row->id == 3);
}

TEST_CASE("Changes that cannot be applied are rejected with the reason and the id when known") {
    CHECK(change_reject(R"({"id":1,"row":{"id":1}})").reason == "change has no op");
    CHECK(change_reject(R"({"op":5,"id":1})").reason == "op is not a string");
    const RowReject merge = change_reject(R"({"op":"merge","id":1,"row":{"id":1}})");
    CHECK(merge.reason == "unknown op \"merge\"");
    CHECK(merge.id == 1);
    const RowReject no_row = change_reject(R"({"op":"insert","id":9})");
    CHECK(no_row.reason == "insert without a row");
    CHECK(no_row.id == 9);
    CHECK(change_reject(R"({"op":"update","id":9,"row":null})").reason == "update without a row");
    CHECK(change_reject(R"({"op":"update","id":5,"row":{"id":6}})").reason ==
          "change id 5 differs from row id 6");
    CHECK(change_reject(R"({"op":"delete"})").reason == "change has no id");
    CHECK(change_reject(R"({"op":"insert","row":{"x":1}})").reason == "row has no id");
    CHECK(change_reject(R"({"op":"insert","id":"x","row":{"id":1}})").reason ==
          "change id is not an integer");
    CHECK(change_reject(R"({"op":"insert","id":1,"row":[1]})").reason ==
          "row is an array, not an object");
    CHECK(change_reject("[]").reason == "change is an array, not an object");
}

TEST_CASE(
    "A change's row nests as deep as a snapshot row: the change's own object does not count") {
    using Catch::Matchers::Contains;
    const auto depth = static_cast<std::size_t>(ff::parse::kMaxRowDepth);
    auto change_with_row = [](std::size_t row_depth) {
        std::string row = R"({"id":5,"x":)" + std::string(row_depth - 1, '[') + "1" +
                          std::string(row_depth - 1, ']') + "}";
        return R"({"op":"insert","id":5,"row":)" + row + "}";
    };
    const ParsedChange deepest = change_ok(change_with_row(depth));
    REQUIRE(deepest.row.has_value());
    CHECK(deepest.row->canonical.size() > 2 * depth);
    const RowReject beyond = change_reject(change_with_row(depth + 1));
    CHECK_THAT(beyond.reason, Contains("nesting deeper than 1000"));
    CHECK(beyond.id == 5);
}

TEST_CASE("An unreadable change is recorded with its own id when its text holds one") {
    CHECK(change_reject(R"({"op":"insert","id":31,"row":{"id":31,"notes":"\udc00"}})").id == 31);
    CHECK(change_reject(R"({"op":"insert","id":32.0,"row":{"id":32}})").id == 32);
    CHECK(change_reject(R"({"op":"insert","row":{"id":33,"n":1e999999}})").id == std::nullopt);
}
