// The stager's reading of a change's changed_at (ff::parse::export_timestamp) equals the
// database's fuel.ingest_ts wherever the stager gives one: the shapes exports use, edge cases and
// fuzzed texts, compared in PostgreSQL.
#include <catch2/catch.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "parse/typed_columns.hpp"
#include "support/fuel_database.hpp"

namespace {

// A PostgreSQL array literal of texts (NULL for nullopt).
std::string array_literal(const std::vector<std::optional<std::string>>& values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        if (!values[i]) {
            out += "NULL";
            continue;
        }
        out += '"';
        for (char c : *values[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

std::string two(unsigned v, bool pad) {
    return (pad && v < 10 ? "0" : "") + std::to_string(v);
}

std::string random_time(std::mt19937& rng) {
    static const char* years[] = {"0000", "0001", "1999", "2024", "2026", "9999", "20260"};
    static const char* seps[] = {"T", "t", " ", "  ", "T ", "_"};
    static const char* zones[] = {"",       "Z",     "z",      " UTC",   "GMT",    "+03:00",
                                  "-05",    "+0530", "+16:00", "-00:00", "+15:59", " +0300",
                                  "+03:60", "+3",    "Zulu",   "-14:30"};
    static const char* fracs[] = {"", ".5", ",123", ".123456", ".1234567", "."};
    const bool pad = rng() % 4 != 0;
    std::string s =
        std::string(years[rng() % 7]) + "-" + two(rng() % 14, pad) + "-" + two(rng() % 33, pad);
    if (rng() % 6) {
        s += seps[rng() % 6];
        s += two(rng() % 26, rng() % 5 != 0) + ":" + two(rng() % 62, true);
        if (rng() % 4) s += ":" + two(rng() % 62, true) + fracs[rng() % 6];
        s += zones[rng() % 16];
    }
    if (rng() % 10 == 0) s = " " + s + "\t";
    return s;
}

}  // namespace

TEST_CASE("A change's time read by the stager equals fuel.ingest_ts's reading") {
    fftest::sql::FuelDatabase db;
    db.apply("sql/R__030_ingest.sql");
    std::vector<std::optional<std::string>> texts = {"2026-06-11T20:14:58Z",
                                                     "2026-06-11 23:14:58",
                                                     "2026-06-11T23:14:58+03:00",
                                                     "2026-06-11T20:14:58.123Z",
                                                     "2026-06-11T20:14:58.1234567Z",
                                                     " 2026-06-11T20:14:58Z ",
                                                     "2026-06-11",
                                                     "2026-06-11 08:30",
                                                     "2026-06-11 05:30:12 UTC",
                                                     "2024-02-29T12:00:00Z",
                                                     "2026-02-29T12:00:00Z",
                                                     "2026-06-11T24:00:00Z",
                                                     "2026-06-11T20:14:58+16:00",
                                                     "11/06/2026 20:14",
                                                     "1781208898",
                                                     "",
                                                     "   ",
                                                     "yesterday"};
    std::mt19937 rng(20261203);
    for (int i = 0; i < 20000; ++i) texts.push_back(random_time(rng));

    std::vector<std::optional<std::string>> read;
    long accepted = 0;
    for (const auto& t : texts) {
        read.push_back(ff::parse::export_timestamp(*t));
        accepted += read.back().has_value();
    }
    // The shapes exports write are read here, not left to the database.
    for (std::size_t i = 0; i < 3; ++i) CHECK(read[i].has_value());
    CHECK(accepted > static_cast<long>(texts.size()) / 4);

    const auto differing = db.session().query(
        "SELECT t.text, r.read, fuel.ingest_ts(t.text)::text "
        "FROM unnest($1::text[]) WITH ORDINALITY AS t(text, n) "
        "JOIN unnest($2::text[]) WITH ORDINALITY AS r(read, n) USING (n) "
        "WHERE r.read IS NOT NULL AND r.read::timestamptz IS DISTINCT FROM fuel.ingest_ts(t.text) "
        "LIMIT 10",
        {array_literal(texts), array_literal(read)});
    for (const auto& row : differing)
        FAIL_CHECK("changed_at \"" << *row[0] << "\": stager " << *row[1] << ", database "
                                   << row[2].value_or("NULL"));
}
