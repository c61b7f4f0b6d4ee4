// The case rules' own tables (sql/R__005_unicode_case.sql) are Unicode's mappings, and the
// shortcuts fuel.norm_lower and fuel.norm_title take give what the tables give.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include "support/fuel_database.hpp"

namespace {

using fftest::sql::FuelDatabase;

// Every code point of planes 0 and 1 (planes 2 to 16 hold no cased character) but surrogates.
constexpr const char* code_points =
    "SELECT chr(cp) AS ch FROM generate_series(1, 131071) AS cp WHERE cp NOT BETWEEN 55296 AND "
    "57343";

}  // namespace

TEST_CASE("The lower and upper case tables are ICU's root mappings wherever those are one to one") {
    FuelDatabase db;
    auto& s = db.session();
    // ICU's root locale is the Unicode default, with no language's tailoring; where it maps a
    // character to more than one (İ, ß, ŉ, ...) the table holds UnicodeData's simple mapping.
    for (const char* fn : {"lower", "upper"}) {
        INFO(fn);
        const auto rows = s.query(
            std::string("WITH c AS (") + code_points + "), m AS (SELECT ch, " + fn +
            "(ch COLLATE \"und-x-icu\") AS icu, fuel.norm_" + fn +
            "(ch) AS ours FROM c) SELECT count(*) FILTER (WHERE length(icu) = 1 AND icu <> ours), "
            "count(*) FILTER (WHERE length(icu) = 1 AND icu <> ch), count(*) FILTER (WHERE ours "
            "<> ch), count(*) FILTER (WHERE length(ours) <> 1) FROM m");
        REQUIRE(rows.size() == 1);
        const bool lower = std::string(fn) == "lower";
        CHECK(rows[0][0] == "0");  // no one-to-one mapping of ICU's differs from ours
        // How many characters each maps, so the comparison above cannot pass on nothing (ICU 72 of
        // Debian 12 is Unicode 15.0, the version of the tables).
        CHECK(rows[0][1] == (lower ? "1432" : "1423"));
        CHECK(rows[0][2] == (lower ? "1433" : "1450"));
        CHECK(rows[0][3] == "0");  // one character to one character
    }
    CHECK(s.scalar("SELECT fuel.norm_lower('İ') || fuel.norm_upper('ß') || fuel.norm_upper('ı') "
                   "|| fuel.norm_upper('ᾳ')") == "ißIᾼ");
}

TEST_CASE("initcap under \"C\" is the title case rule for ASCII text without apostrophes") {
    FuelDatabase db;
    // Random ASCII text: every printable character but the apostrophe, in runs of 1 to 24.
    const auto differing = db.session().query(R"(
        WITH t AS (
            SELECT g, string_agg(chr(32 + (abs(hashint4(g * 31 + k)) % 95)), '') AS v
            FROM generate_series(1, 20000) AS g, generate_series(1, 1 + g % 24) AS k
            GROUP BY g)
        SELECT v, pg_catalog.initcap(v COLLATE "C"), fuel.title_case(v) FROM t
        WHERE strpos(v, '''') = 0 AND pg_catalog.initcap(v COLLATE "C") IS DISTINCT FROM fuel.title_case(v)
        LIMIT 5)");
    for (const auto& r : differing)
        UNSCOPED_INFO(*r[0] << ": initcap " << *r[1] << ", title_case " << *r[2]);
    CHECK(differing.empty());
    CHECK(db.session().scalar("SELECT count(*) FROM generate_series(1, 127) AS c WHERE "
                              "lower(chr(c) COLLATE \"C\") <> fuel.unicode_lower(chr(c)) OR "
                              "upper(chr(c) COLLATE \"C\") <> fuel.unicode_upper(chr(c))") == "0");
}

TEST_CASE("Words of title case are runs of letters, marks, digits and apostrophes") {
    FuelDatabase db;
    auto title = [&db](const std::string& v) {
        return db.session().scalar("SELECT fuel.department($1)", {v});
    };
    CHECK(title("o'neil  DEPT") == "O'neil Dept");
    CHECK(title("st.john x.y") == "St.John X.Y");
    CHECK(title("ÉQUIPE nord") == "Équipe Nord");
    CHECK(title("日本x yZ") == "日本x Yz");  // a letter without case is part of the word
    CHECK(title("٣b c") == "٣b C");          // so is a digit of any script
    CHECK(title("a_b a-b a/b a&b") == "A_B A-B A/B A&B");
    CHECK(title("O’NEIL ‘x’") == "O’neil ‘X’");  // ’ is an apostrophe, ‘ is not
    CHECK(title("ⒶⒷ x") == "ⓐⓑ X");              // not a letter: lower case, like any non-first
}
