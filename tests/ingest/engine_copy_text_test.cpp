// COPY text encoding and the text cleaning that keeps rejects storable, without a database.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <string_view>

#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"

using namespace ff::ingest;

TEST_CASE("COPY fields escape backslashes, tabs and line breaks, and NULL is backslash-N") {
    std::string out;
    detail::copy_field(out, "a\\b\tc\nd\re");
    detail::copy_null(out, true);
    CHECK(out == "a\\\\b\\tc\\nd\\re\t\\N\n");
}

TEST_CASE("Reject text is valid UTF-8 without NUL bytes and cut on a character boundary") {
    const std::string bad = std::string("ok \xff\xfe") + '\0' + "é";
    CHECK(detail::clean_text(bad) == "ok ???é");
    CHECK(detail::clean_text("ééé", 5) == "éé");
    CHECK(detail::clean_text("\xed\xa0\x80") == "???");  // a UTF-16 surrogate is not UTF-8
}

// Counts an aggregate's members, so a count added to Counts without a count_fields row fails.
struct AnyField {
    template <class T>
    operator T() const;
};
template <class T, class... A>
constexpr std::size_t member_count() {
    if constexpr (requires { T{A{}..., AnyField{}}; })
        return member_count<T, A..., AnyField>();
    else
        return sizeof...(A);
}
static_assert(member_count<Counts>() == count_fields.size() + 1,
              "every count of Counts (all but flags) is a row of count_fields");

TEST_CASE("Counts print as one JSON object with exactly the fifteen snake_case keys") {
    Counts c;
    c.rows_read = 3;
    c.files_applied = 1;
    c.unidentified = 1;
    c.deletes_withheld = 2;
    CHECK(to_json(c) ==
          "{\"rows_read\":3,\"inserted\":0,\"updated\":0,\"soft_deleted\":0,\"undeleted\":0,"
          "\"unchanged\":0,\"stale\":0,\"rejected\":0,\"flagged\":0,\"duplicates\":0,"
          "\"files_applied\":1,\"files_quarantined\":0,\"skipped_etag\":0,\"unidentified\":1,"
          "\"deletes_withheld\":2}");
    CHECK(summary(c) ==
          "read 3, inserted 0, updated 0, soft-deleted 0, undeleted 0, unchanged 0, stale 0, "
          "rejected 0, flagged 0, duplicates 0, files applied 1, quarantined 0, skipped (etag) 0, "
          "unidentified 1, soft deletes withheld 2");
}

TEST_CASE("Adding counts adds every field of the table and every flag") {
    Counts a, b;
    long long n = 0;
    for (const CountField& f : count_fields) {
        a.*f.member = ++n;
        b.*f.member = 100 * n;
    }
    a.flags["price_mismatch"] = 1;
    b.flags["price_mismatch"] = 2;
    b.flags["derived_amount"] = 5;
    a += b;
    n = 0;
    for (const CountField& f : count_fields) {
        ++n;
        INFO(f.key);
        CHECK(a.*f.member == 101 * n);
    }
    CHECK(a.flags ==
          std::map<std::string, long long>{{"derived_amount", 5}, {"price_mismatch", 3}});
}

// An answer as the apply functions give it: every count of theirs, `skip` left out.
std::string apply_answer(std::string_view skip = "", std::string_view extra = "") {
    std::string out = "{";
    long long n = 0;
    for (const CountField& f : count_fields) {
        ++n;
        if (f.source != CountSource::apply || f.key == skip) continue;
        out += "\"" + std::string(f.key) + "\": " + std::to_string(n) + ", ";
    }
    return out + std::string(extra) + "\"flags\": {\"price_mismatch\": 1}}";
}

TEST_CASE("The apply functions' answer becomes counts, or a refusal") {
    auto ok = detail::parse_apply_result(apply_answer("", R"("refused_reason": null, )"));
    CHECK(ok.refused.empty());
    CHECK_FALSE(ok.forced);
    long long n = 0;
    for (const CountField& f : count_fields) {
        ++n;
        INFO(f.key);
        CHECK(ok.counts.*f.member == (f.source == CountSource::apply ? n : 0));
    }
    CHECK(ok.counts.flags.at("price_mismatch") == 1);
    auto refused = detail::parse_apply_result(R"({"refused": "mass_delete", "live_rows": 10})");
    CHECK(refused.refused == "mass_delete");
    CHECK_FALSE(refused.forced);
    auto forced = detail::parse_apply_result(apply_answer("", R"("refused_reason": "empty", )"));
    CHECK(forced.forced);
    CHECK(forced.refused == "empty");
}

TEST_CASE("An apply answer without one of its counts is an error that names the count") {
    for (const CountField& f : count_fields) {
        if (f.source != CountSource::apply) continue;
        INFO(f.key);
        CHECK_THROWS_WITH(detail::parse_apply_result(apply_answer(f.key)),
                          Catch::Contains("\"" + std::string(f.key) + "\""));
    }
    CHECK_THROWS_WITH(detail::parse_apply_result(R"({"inserted": "2"})"),
                      Catch::Contains("\"inserted\""));
    CHECK_THROWS_WITH(detail::parse_apply_result("[1]"), Catch::Contains("not a JSON object"));
}
