// Rows: id extraction, canonical text, content hash, sanitising and hostile input.
#include <catch2/catch.hpp>
#include <string>

#include "parse/content_hash.hpp"
#include "parse/limits.hpp"
#include "parse/row_parser.hpp"

using ff::parse::ParsedRow;
using ff::parse::RowReject;

namespace {

ParsedRow row_ok(std::string_view element) {
    auto result = ff::parse::parse_row(element);
    if (auto* reject = std::get_if<RowReject>(&result)) FAIL("rejected: " << reject->reason);
    return std::get<ParsedRow>(result);
}

std::string reject_reason(std::string_view element) {
    auto result = ff::parse::parse_row(element);
    if (auto* reject = std::get_if<RowReject>(&result)) return reject->reason;
    return "accepted: " + std::get<ParsedRow>(result).canonical;
}

}  // namespace

TEST_CASE("A row's id is read from a number or from a string holding an integer") {
    CHECK(row_ok(R"({"id":17})").id == 17);
    CHECK(row_ok(R"({"id":"17"})").id == 17);
    CHECK(row_ok(R"({"id":" 18 "})").id == 18);
    CHECK(row_ok(R"({"id":-5})").id == -5);
    CHECK(row_ok(R"({"id":9223372036854775807})").id == 9223372036854775807LL);
    CHECK(row_ok(R"({"id":1,"id":2})").id == 2);
}

TEST_CASE("A row without a usable id is rejected with the reason") {
    CHECK(reject_reason(R"({"litres":4})") == "row has no id");
    CHECK(reject_reason(R"({"id":null})") == "row has no id");
    CHECK(reject_reason(R"({"id":17.5})") == "row id is not an integer");
    CHECK(reject_reason(R"({"id":1e3})") == "row id is not an integer");
    CHECK(reject_reason(R"({"id":"abc"})") == "row id is not an integer");
    CHECK(reject_reason(R"({"id":""})") == "row id is not an integer");
    CHECK(reject_reason(R"({"id":true})") == "row id is not an integer");
    CHECK(reject_reason(R"({"id":9223372036854775808})") == "row id is out of the int64 range");
    CHECK(reject_reason(R"({"id":"123456789012345678901234"})") ==
          "row id is out of the int64 range");
}

TEST_CASE("A row that is not an object is rejected") {
    CHECK(reject_reason("[1,2]") == "row is an array, not an object");
    CHECK(reject_reason("5") == "row is a number, not an object");
    CHECK(reject_reason("null") == "row is null, not an object");
}

TEST_CASE("The canonical text sorts keys bytewise, keeps the last duplicate and drops whitespace") {
    const ParsedRow r = row_ok(R"( { "id" : 1 , "b" : [ 1 , { "z" : 1 , "a" : 2 } ] ,
        "a" : "first" , "B" : null , "a" : "second", "\u00e9": true, "aa": false } )");
    CHECK(r.canonical ==
          R"({"B":null,"a":"second","aa":false,"b":[1,{"a":2,"z":1}],"id":1,"é":true})");
}

TEST_CASE("Numbers are written exactly as they were received") {
    const ParsedRow r = row_ok(
        R"({"id":1,"big":12345678901234567890123,"huge":1e400,"neg":-0.0,"f":45.50,"e":1E-7})");
    CHECK(r.canonical ==
          R"({"big":12345678901234567890123,"e":1E-7,"f":45.50,"huge":1e400,"id":1,"neg":-0.0})");
}

TEST_CASE("Strings are re-escaped one way whatever escapes they arrived with") {
    const ParsedRow a = row_ok(R"({"id":1,"s":"\u0041\/\"\\\n\t\u001f\u00e9\ud83d\ude00"})");
    const ParsedRow b = row_ok("{\"id\":1,\"s\":\"A/\\\"\\\\\\n\t\x1F\xC3\xA9\xF0\x9F\x98\x80\"}");
    CHECK(a.canonical == "{\"id\":1,\"s\":\"A/\\\"\\\\\\n\\t\\u001f\xC3\xA9\xF0\x9F\x98\x80\"}");
    CHECK(b.canonical == a.canonical);
    CHECK(b.hash_hex == a.hash_hex);
}

TEST_CASE("The content hash is 32 hex characters that change with the content, not the layout") {
    const ParsedRow a = row_ok(R"({"id":1,"litres":45.5,"station":"Shell"})");
    const ParsedRow b = row_ok(R"({ "station":"Shell", "litres":45.5, "id":1 })");
    const ParsedRow c = row_ok(R"({"id":1,"litres":45.50,"station":"Shell"})");
    CHECK(a.hash_hex.size() == 32);
    CHECK(a.hash_hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(a.hash_hex == b.hash_hex);
    CHECK(a.hash_hex != c.hash_hex);
    // SHA-256("abc") begins ba7816bf8f01cfea414140de5dae2223.
    CHECK(ff::parse::content_hash_hex("abc") == "ba7816bf8f01cfea414140de5dae2223");
    CHECK(a.hash_hex == ff::parse::content_hash_hex(a.canonical));
}

TEST_CASE("A NUL character is removed and the row is flagged as sanitised") {
    const ParsedRow r = row_ok(R"({"id":1,"notes":"a\u0000b","k\u0000":1})");
    CHECK(r.canonical == R"({"id":1,"k":1,"notes":"ab"})");
    CHECK(r.sanitised);
    CHECK_FALSE(row_ok(R"({"id":1,"notes":"ab"})").sanitised);
}

TEST_CASE("deleted_at is handed over as written, null meaning absent") {
    const ParsedRow r =
        row_ok(R"({"id":1,"updated_at":"2026-06-11T08:30:12+03:00","deleted_at":null})");
    CHECK_FALSE(r.deleted_at.has_value());
    const ParsedRow n = row_ok(R"({"id":1,"deleted_at":"2026-06-12 10:00:00"})");
    CHECK(n.deleted_at == "2026-06-12 10:00:00");
}

TEST_CASE("Hostile rows are rejected with a clear reason and nothing breaks") {
    using Catch::Matchers::Contains;
    const std::string deep =
        "{\"id\":1,\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK_THAT(reject_reason(deep), Contains("nesting deeper than 1000"));
    const std::string big = R"({"id":1,"s":")" + std::string(10 << 20, 'x') + R"("})";
    CHECK_THAT(reject_reason(big), Contains("larger than 1048576 bytes"));
    CHECK_THAT(reject_reason("{\"id\":1,\"s\":\"\xFF\"}"), Contains("invalid UTF-8"));
    CHECK_THAT(reject_reason("{\"id\":1,\"s\":\"\xC3\"}"), Contains("invalid UTF-8"));
    CHECK_THAT(reject_reason("{\"id\":1,\"s\":\"\xED\xA0\x80\"}"), Contains("invalid UTF-8"));
    CHECK_THAT(reject_reason("{\"id\":1,\"s\":\"\xC0\xAF\"}"), Contains("invalid UTF-8"));
    CHECK_THAT(reject_reason(R"({"id":1,"s":"\udc00"})"), Contains("lone low surrogate"));
    CHECK_THAT(reject_reason(R"({"id":1,"s":"\ud800x"})"), Contains("lone high surrogate"));
    CHECK_THAT(reject_reason(R"({"id":1,"n":1e200000})"), Contains("numeric range"));
    CHECK_THAT(reject_reason(R"({"id":1,"n":1e-20000})"), Contains("numeric range"));
    CHECK_THAT(reject_reason(R"({"id":1,"n":1)"), Contains("invalid JSON"));
    CHECK_THAT(reject_reason(R"({"id":1} x)"), Contains("unexpected text after the value"));
}

TEST_CASE("Raw control characters in strings are accepted and written escaped") {
    CHECK(row_ok("{\"id\":1,\"s\":\"a\tb\"}").canonical == R"({"id":1,"s":"a\tb"})");
}

namespace {

RowReject rejected(std::string_view element) {
    auto result = ff::parse::parse_row(element);
    if (auto* reject = std::get_if<RowReject>(&result)) return *reject;
    FAIL("accepted: " << std::get<ParsedRow>(result).canonical);
    return {};
}

// {"id":1,"x":{"a":{"a":...1...}}} with the row object counted: `depth` levels in all.
std::string nested_row(int depth) {
    std::string row = R"({"id":1,"x":)";
    for (int i = 1; i < depth; ++i) row += R"({"a":)";
    row += "1";
    row += std::string(static_cast<std::size_t>(depth), '}');
    return row;
}

}  // namespace

TEST_CASE("An unreadable row still says which row it is, when its text holds its id") {
    CHECK(rejected(R"({"id":17,"notes":"fill \ud83d"})").id == 17);  // a cut emoji
    CHECK(rejected("{\"id\":18,\"notes\":\"caf\xC3\"}").id == 18);   // invalid UTF-8
    CHECK(rejected(R"({"id":19,"litres":1e999999})").id == 19);      // beyond numeric
    CHECK(rejected(R"({"id":17.0,"litres":4})").id == 17);           // not an integer
    CHECK(
        rejected(R"({"id":"21","x":)" + std::string(5000, '[') + std::string(5000, ']') + "}").id ==
        21);  // nested too deep
    CHECK(rejected(R"({"notes":"\ud83d","id":{"n":22}})").id == std::nullopt);
    CHECK(rejected(R"({"notes":"\ud83d"})").id == std::nullopt);
    CHECK(rejected(R"({"id":17.5})").id == std::nullopt);
    CHECK(rejected(R"([{"id":23}])").id == std::nullopt);
}

TEST_CASE("A row nests as deep as the shared cap, far below what jsonb accepts, and no deeper") {
    using Catch::Matchers::Contains;
    const ParsedRow deepest = row_ok(nested_row(ff::parse::kMaxRowDepth));
    CHECK(deepest.canonical.size() > 5000);
    const RowReject beyond = rejected(nested_row(ff::parse::kMaxRowDepth + 1));
    CHECK_THAT(beyond.reason, Contains("nesting deeper than 1000"));
    CHECK(beyond.id == 1);
}
