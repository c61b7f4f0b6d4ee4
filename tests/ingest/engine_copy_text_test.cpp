// COPY text encoding and the text cleaning that keeps rejects storable, without a database.
#include <catch2/catch.hpp>

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
    CHECK(summary(c).find("unidentified 1, soft deletes withheld 2") != std::string::npos);
}

TEST_CASE("The apply functions' answer becomes counts, or a refusal") {
    auto ok = detail::parse_apply_result(
        R"({"inserted": 2, "updated": 1, "soft_deleted": 4, "stale": 1, "flagged": 1,
            "flags": {"price_mismatch": 1}, "refused_reason": null})");
    CHECK(ok.refused.empty());
    CHECK(ok.counts.inserted == 2);
    CHECK(ok.counts.soft_deleted == 4);
    CHECK(ok.counts.flags.at("price_mismatch") == 1);
    CHECK(detail::parse_apply_result(R"({"deletes_withheld": 3})").counts.deletes_withheld == 3);
    auto refused = detail::parse_apply_result(R"({"refused": "mass_delete", "live_rows": 10})");
    CHECK(refused.refused == "mass_delete");
    CHECK_FALSE(refused.forced);
    auto forced = detail::parse_apply_result(R"({"inserted": 0, "refused_reason": "empty"})");
    CHECK(forced.forced);
}
