// The rules version without a database: how versions compare and read, and that this build's rules
// are registered in sql/rules-versions.txt.
#include <catch2/catch.hpp>
#include <string>

#include "db/rules.hpp"

namespace db = ff::db;

namespace {

db::RulesVersion version(int serial, char digit, bool registered = true) {
    return {serial, std::string(64, digit), registered};
}

}  // namespace

TEST_CASE("rules versions are ordered by serial, and unknown ones count as newer", "[db][rules]") {
    const auto mine = version(3, 'c');
    CHECK(db::compare_rules(std::nullopt, mine) == db::RulesOrder::older);
    CHECK(db::compare_rules(version(2, 'f'), mine) == db::RulesOrder::older);
    CHECK(db::compare_rules(version(3, 'c'), mine) == db::RulesOrder::same);
    CHECK(db::compare_rules(version(3, 'c', false), mine) == db::RulesOrder::same);
    // The same serial with another hash: another build's rules, not provably older.
    CHECK(db::compare_rules(version(3, 'd'), mine) == db::RulesOrder::newer);
    CHECK(db::compare_rules(version(4, 'c'), mine) == db::RulesOrder::newer);
    // A revert registers a new serial with an old hash: the serial decides, not the hash.
    CHECK(db::compare_rules(version(2, 'c'), version(4, 'c')) == db::RulesOrder::older);
}

TEST_CASE("a rules version reads as its serial and the start of its hash", "[db][rules]") {
    CHECK(db::to_string(version(12, 'a')) == "12-aaaaaaaaaaaa");
    CHECK(db::to_string(version(13, 'b', false)) == "13-bbbbbbbbbbbb (unregistered)");
    db::InstalledRules newer{version(4, 'e'), "2026-12-10T08:00:00Z", "0.3.0", "upgrade"};
    CHECK(db::describe_rules(newer, version(3, 'c')) ==
          "the database's normalisation rules 4-eeeeeeeeeeee (upgraded 2026-12-10T08:00:00Z by "
          "fleetfuel 0.3.0) are newer than this binary's 3-cccccccccccc");
    CHECK(db::describe_rules(std::nullopt, version(3, 'c'))
              .find("records no normalisation rules "
                    "version") != std::string::npos);
}

TEST_CASE("this build's rules are registered in sql/rules-versions.txt", "[db][rules]") {
    const auto& mine = db::build_rules();
    REQUIRE(mine.hash.size() == 64);
    INFO(
        "The normalisation rules changed (sql/R__005_unicode_case.sql, sql/R__010_normalise.sql "
        "or lib/parse/typed_*). Append this line to sql/rules-versions.txt, with what changed:\n"
        << mine.serial << " " << mine.hash << " YYYY-MM-DD <what changed>\n"
        << "A release with a greater serial normalises every stored row again when its writer "
           "starts (docs/architecture.md, \"Rules and releases\").");
    CHECK(mine.registered);
}
