// Contract v1.1 §2 and §4: a snapshot row that cannot be read is not an absent row. Its stored
// row stays as it is, its id is recorded with the reject, and when no id can be read from it the
// snapshot soft-deletes no absent row at all. Rows nest as deep as jsonb takes them (with a
// margin); a deeper row is rejected alone, never its file.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "parse/limits.hpp"
#include "support/engine_fixture.hpp"

using namespace fftest;
using ff::ingest::Refusal;

namespace {

constexpr Ts kE1 = kBaseTime + 86400;
constexpr Ts kE2 = kE1 + 86400;

// id:xmin:live for every stored row: equal before and after means the rows were not touched.
std::string fingerprint(PgSession& pg, const std::string& where = "true") {
    return pg.scalar(
        "SELECT coalesce(string_agg(id || ':' || xmin::text || ':' || (deleted_at IS NULL), ',' "
        "ORDER BY id), '') FROM fuel.records WHERE " +
        where);
}

// Snapshot 1: ids 1..100, applied.
std::vector<GenRow> seed(EngineFixture& fx, ExportGenerator& gen) {
    std::vector<GenRow> rows;
    for (long long id = 1; id <= 100; ++id) rows.push_back(gen.row(id, kBaseTime + id));
    fx.put("latest.json", gen.snapshot_object(rows, kE1));
    REQUIRE(fx.snapshot().refused == Refusal::none);
    return rows;
}

GenRow raw_row(long long id, std::string json) {
    return GenRow{id, std::move(json), std::nullopt, std::nullopt};
}

std::string nested(std::size_t depth) {
    return std::string(depth, '[') + "1" + std::string(depth, ']');
}

// One unreadable row of each kind the contract names, each holding its id.
std::vector<GenRow> unreadable_with_ids() {
    return {
        raw_row(5, R"({"id":5,"notes":"fill \ud83d","litres":45})"),     // cut emoji
        raw_row(10, "{\"id\":10,\"notes\":\"caf\xC3\",\"litres\":45}"),  // invalid UTF-8
        raw_row(15, R"({"id":15,"litres":1e999999})"),                   // beyond numeric
        raw_row(20, R"({"id":20,"notes":")" + std::string(3 << 20, 'x') + R"("})"),  // too large
        raw_row(25, R"({"id":25.0,"litres":4})"),               // id not an integer
        raw_row(30, R"({"id":30,"x":)" + nested(20000) + "}"),  // deeper than jsonb
    };
}

}  // namespace

TEST_CASE("An unreadable snapshot row leaves its stored row as it is, and its id is recorded",
          "[integration]") {
    for (const bool shuffled : {false, true}) {
        INFO((shuffled ? "ids out of order: the database finds the missing rows"
                       : "ids ascending: the stager's range look-ups find them"));
        EngineFixture fx;
        ExportGenerator gen(31);
        const std::vector<GenRow> first = seed(fx, gen);
        const std::string unreadable_ids = "id IN (5, 10, 15, 20, 25, 30)";
        const std::string before = fingerprint(fx.pg(), unreadable_ids);

        std::vector<GenRow> second;
        const auto bad = unreadable_with_ids();
        for (const GenRow& row : first) {
            if (row.id == 35) continue;  // really gone
            const auto it = std::find_if(bad.begin(), bad.end(),
                                         [&](const GenRow& b) { return b.id == row.id; });
            second.push_back(it != bad.end() ? *it : row);
        }
        second.push_back(gen.row(101, kE1 + 60));
        if (shuffled) std::shuffle(second.begin(), second.end(), std::mt19937(5));
        fx.put("latest.json", gen.snapshot_object(second, kE2));

        const auto dry = fx.snapshot(false);
        const auto r = fx.snapshot();
        REQUIRE(r.refused == Refusal::none);
        CHECK(dry.counts.soft_deleted == r.counts.soft_deleted);
        CHECK(r.counts.rows_read == 100);
        CHECK(r.counts.rejected == 6);
        CHECK(r.counts.soft_deleted == 1);
        CHECK(r.counts.inserted == 1);
        CHECK(r.counts.unchanged == 93);
        CHECK(r.counts.unidentified == 0);
        CHECK(r.counts.deletes_withheld == 0);
        CHECK_FALSE(r.deletes_withheld);

        CHECK(fingerprint(fx.pg(), unreadable_ids) == before);
        CHECK(fx.pg().scalar("SELECT deleted_reason FROM fuel.records WHERE id = 35") ==
              "missing_from_snapshot");
        CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL") ==
              "100");
        CHECK(fx.pg().scalar("SELECT string_agg(record_id::text, ',' ORDER BY record_id) "
                             "FROM fuel.rejects WHERE kind = 'row' AND etag IS NOT NULL") ==
              "5,10,15,20,25,30");
        fx.expect_normalised();
    }
}

TEST_CASE("A snapshot holding a row whose id cannot be read soft-deletes no absent row",
          "[integration]") {
    for (const bool shuffled : {false, true}) {
        INFO((shuffled ? "ids out of order" : "ids ascending"));
        EngineFixture fx;
        ExportGenerator gen(32);
        const std::vector<GenRow> first = seed(fx, gen);

        // Rows 50 and 60 are absent; 60 may be one of the rows that cannot be read, and nothing
        // says which stored row each of those is. Row 7 changed and row 101 is new.
        std::vector<GenRow> second;
        for (const GenRow& row : first) {
            if (row.id == 50 || row.id == 60) continue;
            second.push_back(row.id == 7 ? gen.row(7, kE1 + 7) : row);
        }
        second.push_back(gen.row(101, kE1 + 60));
        second.push_back(raw_row(0, R"({"notes":"fill \ud83d","litres":45})"));
        second.push_back(raw_row(0, R"({"id":{"n":60},"notes":"x"})"));
        second.push_back(raw_row(0, R"({"id":17.5,"litres":"\udc00"})"));
        second.push_back(raw_row(0, R"({"notes":")" + std::string(3 << 20, 'x') + R"("})"));
        if (shuffled) std::shuffle(second.begin(), second.end(), std::mt19937(9));
        fx.put("latest.json", gen.snapshot_object(second, kE2));

        const auto dry = fx.snapshot(false);
        CHECK(dry.counts.deletes_withheld == 2);
        const auto r = fx.snapshot();
        REQUIRE(r.refused == Refusal::none);
        CHECK(r.deletes_withheld);
        CHECK(r.counts.rejected == 4);
        CHECK(r.counts.unidentified == 4);
        CHECK(r.counts.deletes_withheld == 2);
        CHECK(r.counts.soft_deleted == 0);
        CHECK(r.counts.updated == 1);
        CHECK(r.counts.inserted == 1);
        CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL") ==
              "101");
        CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.rejects WHERE kind = 'row' AND record_id "
                             "IS NULL AND reason LIKE '%soft-deletes no absent row%'") == "4");

        // The next snapshot that can be read whole applies what this one could not.
        std::vector<GenRow> third;
        for (const GenRow& row : second)
            if (row.id != 0) third.push_back(row);
        fx.put("latest.json", gen.snapshot_object(third, kE2 + 3600));
        const auto next = fx.snapshot();
        CHECK(next.counts.soft_deleted == 2);
        CHECK_FALSE(next.deletes_withheld);
        CHECK(fx.pg().scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM fuel.records "
                             "WHERE deleted_reason = 'missing_from_snapshot'") == "50,60");
    }
}

TEST_CASE("The last occurrence of an id decides, readable or not", "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(33);
    const std::vector<GenRow> first = seed(fx, gen);
    const std::string row5 = fingerprint(fx.pg(), "id = 5");

    // A newer row 5, then an unreadable row 5 after it: the stored row stays as it is.
    std::vector<GenRow> second = first;
    second.push_back(gen.row(5, kE1 + 5));
    second.push_back(raw_row(5, R"({"id":5,"notes":"\ud83d"})"));
    fx.put("latest.json", gen.snapshot_object(second, kE2));
    auto r = fx.snapshot();
    REQUIRE(r.refused == Refusal::none);
    CHECK(r.counts.rejected == 1);
    CHECK(r.counts.duplicates == 2);  // the first row 5 and the newer one, both overridden
    CHECK(r.counts.updated == 0);
    CHECK(r.counts.unchanged == 99);
    CHECK(fingerprint(fx.pg(), "id = 5") == row5);

    // An unreadable row 6, then a newer readable one: the readable one applies.
    std::vector<GenRow> third = first;
    third.push_back(raw_row(6, R"({"id":6,"notes":"\ud83d"})"));
    third.push_back(gen.row(6, kE1 + 6));
    fx.put("latest.json", gen.snapshot_object(third, kE2 + 60));
    r = fx.snapshot();
    REQUIRE(r.refused == Refusal::none);
    CHECK(r.counts.rejected == 1);
    CHECK(r.counts.duplicates == 1);
    CHECK(r.counts.updated == 1);
    CHECK(fx.pg().scalar("SELECT raw = $1::jsonb FROM fuel.records WHERE id = 6",
                         {third.back().json}) == "t");
}

TEST_CASE("A first load rejects unreadable rows alone and records their ids", "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(34);
    std::vector<GenRow> rows;
    for (long long id = 1; id <= 40; ++id) rows.push_back(gen.row(id, kBaseTime + id));
    for (auto& row : unreadable_with_ids()) rows[static_cast<std::size_t>(row.id - 1)] = row;
    rows.push_back(raw_row(0, R"({"notes":"\ud83d"})"));
    fx.put("latest.json", gen.snapshot_object(rows, kE1));
    const auto r = fx.snapshot();
    REQUIRE(r.refused == Refusal::none);
    CHECK(r.counts.inserted == 34);
    CHECK(r.counts.rejected == 7);
    CHECK(r.counts.unidentified == 1);
    CHECK(r.counts.deletes_withheld == 0);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE id IN (5, 10, 15, 20, 25, 30)") ==
          "0");
    CHECK(fx.pg().scalar("SELECT string_agg(coalesce(record_id::text, '-'), ',' ORDER BY "
                         "record_id NULLS LAST) FROM fuel.rejects WHERE kind = 'row'") ==
          "5,10,15,20,25,30,-");
}

TEST_CASE(
    "A row nested deeper than the framer used to allow is stored, deeper than jsonb, rejected "
    "alone",
    "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(35);
    const std::string deep_100 = R"({"id":1,"unknown":{"a":)" + nested(98) + "}}";
    const std::string deep_max = R"({"id":2,"unknown":)" +
                                 nested(static_cast<std::size_t>(ff::parse::kMaxRowDepth) - 1) +
                                 "}";
    std::vector<GenRow> rows{raw_row(1, deep_100), raw_row(2, deep_max),
                             raw_row(3, R"({"id":3,"x":)" + nested(20000) + "}"),
                             gen.row(4, kBaseTime)};
    fx.put("latest.json", gen.snapshot_object(rows, kE1));
    const auto r = fx.snapshot();
    REQUIRE_FALSE(r.file_error);
    CHECK(r.counts.inserted == 3);
    CHECK(r.counts.rejected == 1);
    CHECK(fx.pg().scalar("SELECT raw = $1::jsonb FROM fuel.records WHERE id = 1", {deep_100}) ==
          "t");
    CHECK(fx.pg().scalar("SELECT raw = $1::jsonb FROM fuel.records WHERE id = 2", {deep_max}) ==
          "t");
    CHECK(fx.pg().scalar("SELECT record_id || ': ' || reason FROM fuel.rejects") ==
          "3: invalid JSON at byte 1011: nesting deeper than 1000");

    // The same from a change file: the change's own object does not count against the row.
    const std::string change_deep = R"({"id":5,"unknown":)" +
                                    nested(static_cast<std::size_t>(ff::parse::kMaxRowDepth) - 1) +
                                    "}";
    fx.put("changes/2026-06-02T00:00:00Z.json",
           R"({"changes":[{"op":"insert","id":5,"changed_at":"2026-06-02T00:00:00Z","row":)" +
               change_deep + R"(},{"op":"insert","id":6,"row":{"id":6,"x":)" + nested(20000) +
               R"(}},{"op":"insert","id":7,"row":{"id":7}}]})");
    const auto c = fx.changes();
    CHECK(c.counts.files_applied == 1);
    CHECK(c.counts.files_quarantined == 0);
    CHECK(c.counts.inserted == 2);
    CHECK(c.counts.rejected == 1);
    CHECK(fx.pg().scalar("SELECT raw = $1::jsonb FROM fuel.records WHERE id = 5", {change_deep}) ==
          "t");
    CHECK(fx.pg().scalar("SELECT record_id FROM fuel.rejects WHERE stream = 'changes'") == "6");
    fx.expect_normalised();
}
