// lib/ingest/verify.hpp against a real database and store: it agrees after a real history, and
// names what differs when a typed column, the ledger or the watermark does not agree.
#include <catch2/catch.hpp>
#include <filesystem>

#include "support/engine_fixture.hpp"

using namespace fftest;
using ff::ingest::CheckResult;
using ff::ingest::VerifyResult;

namespace {

const CheckResult& check(const VerifyResult& r, const std::string& name) {
    for (const auto& c : r.checks)
        if (c.name == name) return c;
    FAIL("no check " << name);
    throw;
}

// Snapshot 1 and its change files, applied.
void history(EngineFixture& fx, const Scenario& s) {
    fx.put("latest.json", s.snap1_body);
    REQUIRE(fx.snapshot().refused == ff::ingest::Refusal::none);
    for (const auto& f : s.files) fx.put(f.key, f.body);
    REQUIRE(fx.changes().counts.files_applied == 4);
}

}  // namespace

TEST_CASE("verify agrees after a real history, and names a stored column that differs",
          "[integration]") {
    EngineFixture fx;
    history(fx, make_scenario(3));
    const auto clean = fx.verify();
    REQUIRE(clean.ok());
    REQUIRE(clean.checks.size() == 4);
    CHECK(clean.checks.front().name == "rules");
    CHECK(check(clean, "rules").summary.find("are this binary's") != std::string::npos);
    CHECK(check(clean, "typed_columns").summary.find("rows; every typed column") !=
          std::string::npos);

    const std::string expected =
        fx.pg().scalar("SELECT coalesce(department, '(null)') FROM fuel.records WHERE id = 6");
    // Written past the trigger, as a bug in an older release (or a hand-made UPDATE) would.
    fx.pg().exec(
        "BEGIN; SET LOCAL fuel.normalised_by_ingest = on; "
        "UPDATE fuel.records SET department = 'Tampered', litres = 1.50 WHERE id = 6; "
        "UPDATE fuel.records SET fuel_type = 'kerosene' WHERE id = 9; COMMIT");
    const auto r = fx.verify();
    CHECK_FALSE(r.ok());
    const auto& typed = check(r, "typed_columns");
    CHECK(typed.differing == 2);
    REQUIRE(typed.differences.size() >= 3);
    CHECK(typed.differences[0].id == "6");
    CHECK(typed.differences[0].column == "department");
    CHECK(typed.differences[0].stored == "Tampered");
    CHECK(typed.differences[0].expected.value_or("(null)") == expected);
    CHECK(typed.differences[1].column == "litres");
    CHECK(typed.differences[2].id == "9");
    CHECK(typed.differences[2].column == "fuel_type");
    CHECK(check(r, "change_files").ok());
    CHECK(check(r, "watermark").ok());
    const std::string json = ff::ingest::to_json(r, "test");
    CHECK(json.find("{\"id\":6,\"column\":\"department\",\"stored\":\"Tampered\"") !=
          std::string::npos);
}

TEST_CASE("verify counts every difference but lists only the first ones, in id batches",
          "[integration]") {
    EngineFixture fx;
    history(fx, make_scenario(4));
    fx.pg().exec(
        "BEGIN; SET LOCAL fuel.normalised_by_ingest = on; "
        "UPDATE fuel.records SET receipt_no = 'X-' || id WHERE id % 2 = 0; COMMIT");
    const long long tampered =
        std::stoll(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE id % 2 = 0"));
    REQUIRE(tampered > 10);
    ff::ingest::VerifyOptions o;
    o.limit = 3;
    o.batch_rows = 7;  // many batches, so the count and the limit cross batch boundaries
    const auto r = fx.verify(o);
    const auto& typed = check(r, "typed_columns");
    CHECK(typed.differing == tampered);
    REQUIRE(typed.differences.size() == 3);
    CHECK(typed.differences[0].id == "2");
    CHECK(typed.differences[2].id == "6");
    CHECK(ff::ingest::to_text(r).find("(" + std::to_string(tampered) + " in all; --limit N)") !=
          std::string::npos);
}

TEST_CASE("verify reports a change file the ledger lacks once it is older than the grace period",
          "[integration]") {
    EngineFixture fx;
    history(fx, make_scenario(5));
    const std::string late = "changes/2026-06-01T23:00:00Z.json";
    fx.put(late, ExportGenerator(1).change_file({GenChange{
                     "insert", 990, kBaseTime, ExportGenerator(1).row(990, kBaseTime)}}));

    const auto fresh = fx.verify();  // just landed: the next poll takes it
    CHECK(fresh.ok());
    CHECK(check(fresh, "change_files").summary.find("1 pending, 0 missing") != std::string::npos);

    const auto path = fx.dir() / ("fuel_records/" + late);
    std::filesystem::last_write_time(
        path, std::filesystem::last_write_time(path) - std::chrono::hours(3));
    const auto r = fx.verify();
    CHECK_FALSE(r.ok());
    const auto& files = check(r, "change_files");
    CHECK(files.differing == 1);
    REQUIRE(files.differences.size() == 1);
    CHECK(files.differences[0].id == "fuel_records/" + late);
    CHECK(files.differences[0].column == "ledger");
    CHECK_FALSE(files.differences[0].stored);
    CHECK(files.differences[0].expected == "applied");

    REQUIRE(fx.changes().counts.files_applied == 1);
    CHECK(fx.verify().ok());
}

TEST_CASE("verify reports a watermark that is not a change file's key, the next poll repairs it",
          "[integration]") {
    EngineFixture fx;
    history(fx, make_scenario(6));
    const std::string newest =
        fx.pg().scalar("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'");
    // What a release before contract v1.1 left after quarantining a stray object.
    fx.pg().exec(
        "UPDATE fuel.ingest_state SET watermark = 'fuel_records/changes/manual.txt' "
        "WHERE stream = 'changes'");
    const auto r = fx.verify();
    CHECK_FALSE(r.ok());
    const auto& wm = check(r, "watermark");
    REQUIRE(wm.differences.size() == 1);
    CHECK(wm.differences[0].column == "watermark");
    CHECK(wm.differences[0].stored == "fuel_records/changes/manual.txt");
    CHECK(wm.differences[0].expected == newest);

    fx.options.listing = ff::ingest::Listing::recent;
    CHECK(fx.changes().counts.files_applied == 0);
    CHECK(fx.pg().scalar("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'") ==
          newest);
    CHECK(fx.verify().ok());
}
