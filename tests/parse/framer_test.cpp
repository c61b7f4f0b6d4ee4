// Framing of export documents: both forms, metadata anywhere, any chunking, file-level errors.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "parse/json_framer.hpp"
#include "parse/limits.hpp"

using ff::parse::DocumentKind;
using ff::parse::FileError;
using ff::parse::FramerLimits;
using ff::parse::JsonFramer;

namespace {

struct Framed {
    std::vector<std::string> elements;
    std::vector<std::string> rejects;
    ff::parse::DocumentMeta meta;
};

// Feeds `doc` cut at the given positions, then finishes.
Framed frame(std::string_view doc, const std::vector<std::size_t>& cuts = {},
             DocumentKind kind = DocumentKind::snapshot, FramerLimits limits = {}) {
    Framed out;
    JsonFramer framer(kind, limits);
    const auto on_element = [&](std::string_view e) { out.elements.emplace_back(e); };
    const auto on_reject = [&](std::string_view first, std::string_view reason,
                               std::optional<long long> id) {
        out.rejects.push_back(std::string(reason) + "|" + std::string(first.substr(0, 10)) + "|" +
                              (id ? std::to_string(*id) : "-"));
    };
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        framer.feed(doc.substr(from, cut - from), on_element, on_reject);
        from = cut;
    }
    framer.feed(doc.substr(from), on_element, on_reject);
    framer.finish();
    out.meta = framer.meta();
    return out;
}

std::string file_error(std::string_view doc, DocumentKind kind = DocumentKind::snapshot) {
    try {
        frame(doc, {}, kind);
    } catch (const FileError& e) {
        return e.what();
    }
    return "accepted";
}

const std::string kTricky =
    R"( {"table":"logistics_department.fuel_records","rows":[ {"id":1,"notes":"a \"quoted\" ]} [{ \\"},)"
    R"(  {"id":"2","nested":{"a":[1,{"b":[]},-0.5e+3],"c":null}} , {"id":3,"s":"\\\\\"","u":"\u00e9\ud83d\ude00"}],)"
    R"("exported_at":"2026-06-11T20:00:03.512Z","row_count":3} )";

const std::vector<std::string> kTrickyElements = {
    R"({"id":1,"notes":"a \"quoted\" ]} [{ \\"})",
    R"({"id":"2","nested":{"a":[1,{"b":[]},-0.5e+3],"c":null}})",
    R"({"id":3,"s":"\\\\\"","u":"\u00e9\ud83d\ude00"})",
};

}  // namespace

TEST_CASE("The object form yields each row's exact text and the metadata around it") {
    const Framed f = frame(kTricky);
    CHECK(f.elements == kTrickyElements);
    CHECK_FALSE(f.meta.bare_array);
    CHECK(f.meta.table == "logistics_department.fuel_records");
    CHECK(f.meta.exported_at == "2026-06-11T20:00:03.512Z");
    CHECK(f.meta.row_count == 3);
    CHECK(f.meta.elements == 3);
}

TEST_CASE("Metadata before the array is captured as well as after it") {
    const Framed f = frame(
        R"({"row_count":"2","exported_at":"2026-06-11T20:00:03Z","extra":{"x":[1,2,{"rows":[9]}]},"rows":[{"id":1},{"id":2}]})");
    CHECK(f.elements == std::vector<std::string>{R"({"id":1})", R"({"id":2})"});
    CHECK(f.meta.row_count == 2);
    CHECK(f.meta.exported_at == "2026-06-11T20:00:03Z");
    CHECK_FALSE(f.meta.table.has_value());
}

TEST_CASE("The bare-array form is accepted for snapshots and change files") {
    const Framed rows = frame("\xEF\xBB\xBF[ {\"id\":1} ,\n{\"id\":2}\n]\n");
    CHECK(rows.meta.bare_array);
    CHECK(rows.elements == std::vector<std::string>{R"({"id":1})", R"({"id":2})"});
    const Framed changes =
        frame(R"([{"op":"delete","id":4,"row":null}])", {}, DocumentKind::changes);
    CHECK(changes.elements.size() == 1);
    CHECK(changes.meta.bare_array);
}

TEST_CASE("A change file's changes array is framed and a rows array is not what it looks for") {
    const Framed f =
        frame(R"({"table":"t","changes":[{"op":"insert","id":1,"row":{"id":1}}, 5, "x"]})", {},
              DocumentKind::changes);
    CHECK(f.elements ==
          std::vector<std::string>{R"({"op":"insert","id":1,"row":{"id":1}})", "5", R"("x")"});
    CHECK(file_error(R"({"rows":[]})", DocumentKind::changes).find("no \"changes\" array") !=
          std::string::npos);
}

TEST_CASE("Every split of a document into chunks frames the same elements") {
    const Framed whole = frame(kTricky);
    for (std::size_t cut = 0; cut <= kTricky.size(); ++cut) {
        INFO("cut at " << cut);
        const Framed split = frame(kTricky, {cut});
        REQUIRE(split.elements == whole.elements);
        REQUIRE(split.meta.exported_at == whole.meta.exported_at);
    }
    std::vector<std::size_t> every_byte;
    for (std::size_t i = 1; i < kTricky.size(); ++i) every_byte.push_back(i);
    CHECK(frame(kTricky, every_byte).elements == whole.elements);

    std::mt19937 rng(42);
    for (int round = 0; round < 200; ++round) {
        std::vector<std::size_t> cuts;
        for (std::size_t pos = 0;;) {
            pos += std::uniform_int_distribution<std::size_t>(0, 12)(rng);
            if (pos >= kTricky.size()) break;
            cuts.push_back(pos);
        }
        REQUIRE(frame(kTricky, cuts).elements == whole.elements);
    }
}

TEST_CASE("Empty arrays and scalar elements are framed as they are") {
    CHECK(frame(R"({"rows": []})").elements.empty());
    CHECK(frame("[]").elements.empty());
    CHECK(frame("[1, -2.5e3, true, null, \"s\"]").elements ==
          std::vector<std::string>{"1", "-2.5e3", "true", "null", "\"s\""});
}

TEST_CASE("An element larger than the cap is rejected alone and the rest is still framed") {
    const std::string big = R"({"id":2,"notes":")" + std::string(10 << 20, 'x') + R"("})";
    const std::string doc = R"({"rows":[{"id":1},)" + big + R"(,{"id":3}],"row_count":3})";
    const Framed f = frame(doc, {100, 5 << 20});
    CHECK(f.elements == std::vector<std::string>{R"({"id":1})", R"({"id":3})"});
    REQUIRE(f.rejects.size() == 1);
    CHECK(f.rejects[0] == "element is larger than 1048576 bytes|{\"id\":2,\"n|2");
    CHECK(f.meta.elements == 3);
}

TEST_CASE("An oversize element's id is read from all of it, whatever the chunks") {
    // Past the kept first bytes: a nested id, an id in a string, then its own last id member.
    const std::string big = R"({"id":4,"x":{"id":5},"notes":"\"id\":6,)" +
                            std::string(3 << 20, 'x') + R"(","id":7,"y":[{"id":8}]})";
    const std::string doc = "[" + big + R"(,{"id":9,"notes":")" + std::string(2 << 20, 'y') +
                            R"("},{"row":{"id":10},"notes":")" + std::string(2 << 20, 'z') +
                            R"("}])";
    const std::vector<std::string> want{"element is larger than 1048576 bytes|{\"id\":4,\"x|7",
                                        "element is larger than 1048576 bytes|{\"id\":9,\"n|9",
                                        "element is larger than 1048576 bytes|{\"row\":{\"i|-"};
    CHECK(frame(doc).rejects == want);
    std::mt19937 rng(7);
    for (int round = 0; round < 5; ++round) {
        std::vector<std::size_t> cuts;
        for (std::size_t pos = 0;;) {
            pos += std::uniform_int_distribution<std::size_t>(1, 700'000)(rng);
            if (pos >= doc.size()) break;
            cuts.push_back(pos);
        }
        CHECK(frame(doc, cuts).rejects == want);
    }
}

TEST_CASE("Without a reject callback an oversize element reaches on_element cut short") {
    JsonFramer framer(DocumentKind::snapshot, FramerLimits{16, 64});
    std::vector<std::string> seen;
    framer.feed(R"([{"id":1,"notes":"far too long for sixteen"}])",
                [&](std::string_view e) { seen.emplace_back(e); });
    framer.finish();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == R"({"id":1,"notes":)");
}

TEST_CASE("Files that cannot be applied at all are refused with a clear reason") {
    using Catch::Matchers::Contains;
    CHECK_THAT(file_error(""), Contains("empty file"));
    CHECK_THAT(file_error("  \n"), Contains("only whitespace"));
    CHECK_THAT(file_error("<html>503</html>"), Contains("not JSON"));
    CHECK_THAT(file_error("\"just a string\""), Contains("wrong shape"));
    CHECK_THAT(file_error("42"), Contains("wrong shape"));
    CHECK_THAT(file_error(R"({"table":"t"})"), Contains("no \"rows\" array"));
    CHECK_THAT(file_error(R"({"rows":{"id":1}})"), Contains("\"rows\" is not an array"));
    CHECK_THAT(file_error(R"({"rows":[],"rows":[]})"), Contains("two \"rows\" arrays"));
    CHECK_THAT(file_error(R"({"rows":[{"id":1},{"id":2)"), Contains("truncated"));
    CHECK_THAT(file_error(R"({"rows":[{"id":1,"s":"abc)"), Contains("truncated"));
    CHECK_THAT(file_error(R"([{"id":1}] x)"), Contains("garbage after the document"));
    CHECK_THAT(file_error(R"([{"id":1}][])"), Contains("garbage after the document"));
    CHECK_THAT(file_error(R"({"rows":[{"id":1}],"row_count":2})"), Contains("row_count mismatch"));
    CHECK_THAT(file_error(R"({"rows":[{"id":1}],"row_count":"many"})"), Contains("row_count"));
    CHECK_THAT(file_error(R"({"rows":[{"id":1]}]})"), Contains("not JSON"));
    CHECK_THAT(file_error(R"({"rows":[{"id":1,}]})"), Contains("not JSON"));
    CHECK_THAT(file_error(R"({"rows":[{"id":01}]})"), Contains("not JSON"));
    CHECK_THAT(file_error(R"({"rows":[{"id":tru}]})"), Contains("not JSON"));
    CHECK_THAT(file_error(R"({"rows":[{"s":"\x"}]})"), Contains("bad escape"));
    CHECK_THAT(file_error("{\"rows\":[{\"id\":\xC3\xA9}]}"),
               Contains("invalid byte outside a string"));
    CHECK_THAT(file_error(R"({"exported_at":5,"rows":[]})"), Contains("exported_at"));
}

TEST_CASE("An element nested deeper than the cap is framed whole, the rest of the file with it") {
    // Past the cap the framer only matches brackets: memory stays one counter, whatever the depth.
    const std::string deep =
        R"({"id":2,"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    const Framed f = frame(R"({"rows":[{"id":1},)" + deep + R"(,{"id":3}],"row_count":3})");
    CHECK(f.elements == std::vector<std::string>{R"({"id":1})", deep, R"({"id":3})"});
    // A value nested past the cap in metadata the framer does not read is skipped the same way.
    CHECK(frame(R"({"extra":)" + std::string(5000, '[') + std::string(5000, ']') +
                R"(,"rows":[{"id":1}]})")
              .elements.size() == 1);
    // Past the cap (the document's array and 1 002 levels of its element) brackets are matched
    // by count only; the parser rejects the element for its depth.
    const std::string odd =
        "[" + std::string(1500, '[') + std::string(498, '}') + std::string(1002, ']') + "]";
    CHECK(frame(odd).elements.size() == 1);
    // Truncated inside a skipped value: the file is cut off.
    CHECK_THROWS_WITH(frame("[" + std::string(5000, '[')), Catch::Matchers::Contains("truncated"));
    // An unbalanced close is still an error once back at the checked depth.
    CHECK_THAT(file_error("[" + std::string(2000, '[') + std::string(2001, ']') + "]]"),
               Catch::Matchers::Contains("garbage after the document"));
}

TEST_CASE("The framer checks every bracket down to a change's row nested as deep as allowed") {
    const auto L = static_cast<std::size_t>(ff::parse::kMaxRowDepth);
    const std::string ok = R"({"changes":[{"op":"insert","row":)" + std::string(L, '[') + "1" +
                           std::string(L, ']') + "}]}";
    CHECK(frame(ok, {}, DocumentKind::changes).elements.size() == 1);
    const std::string mismatched = R"({"changes":[{"op":"insert","row":)" + std::string(L, '[') +
                                   "1" + std::string(L - 1, ']') + "}}]}";
    CHECK_THAT(file_error(mismatched, DocumentKind::changes),
               Catch::Matchers::Contains("not JSON"));
}

TEST_CASE("A row_count that matches, or a null one, is accepted") {
    CHECK(frame(R"({"rows":[{"id":1}],"row_count":1})").meta.row_count == 1);
    CHECK_FALSE(frame(R"({"row_count":null,"rows":[{"id":1}]})").meta.row_count.has_value());
}
