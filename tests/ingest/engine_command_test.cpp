// fleetfuel import through the real binary: exit codes, --json keys, the writer lock, and a
// SIGKILL in the middle of applying large files followed by a restart.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "db/advisory_lock.hpp"
#include "support/child_process.hpp"
#include "support/engine_fixture.hpp"
#include "support/run_process.hpp"
#include "support/test_env.hpp"

using namespace fftest;

namespace {

// Runs fleetfuel with a clean environment: the database, the local source directory, and `extra`
// ("NAME=value", or empty).
fftest::ProcessResult fleetfuel(const std::string& db_url, const std::filesystem::path& dir,
                                const std::string& args, const std::string& extra = "") {
    std::map<std::string, std::string> env{
        {"PATH", "/usr/bin:/bin"}, {"DATABASE_URL", db_url}, {"FUEL_SOURCE_DIR", dir.string()}};
    if (const auto eq = extra.find('='); eq != std::string::npos)
        env[extra.substr(0, eq)] = extra.substr(eq + 1);
    return fftest::run_fleetfuel(fftest::words(args), env);
}

}  // namespace

TEST_CASE(
    "fleetfuel import reports exact counts as JSON, writes only with --apply, and exits per the "
    "rules",
    "[integration]") {
    EngineFixture fx;
    const Scenario s = make_scenario(21);
    fx.put("latest.json", s.snap1_body);

    auto usage = fleetfuel(fx.url(), fx.dir(), "import");
    CHECK(usage.exit_code == 2);

    auto dry = fleetfuel(fx.url(), fx.dir(), "import --snapshot --json");
    INFO(dry.err);
    REQUIRE(dry.exit_code == 0);
    for (const char* key :
         {"rows_read", "inserted", "updated", "soft_deleted", "undeleted", "unchanged", "stale",
          "rejected", "flagged", "duplicates", "files_applied", "files_quarantined", "skipped_etag",
          "unidentified", "deletes_withheld"}) {
        CHECK(dry.out.find("\"" + std::string(key) + "\":") != std::string::npos);
    }
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records") == "0");

    auto applied = fleetfuel(fx.url(), fx.dir(), "import --snapshot --apply --json");
    REQUIRE(applied.exit_code == 0);
    CHECK(applied.out == dry.out);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records") != "0");

    for (const auto& f : s.files) fx.put(f.key, f.body);
    auto both = fleetfuel(fx.url(), fx.dir(), "import --snapshot --changes --apply --json");
    CHECK(both.exit_code == 0);
    CHECK(both.out.find("\"skipped_etag\":1") != std::string::npos);
    CHECK(both.out.find("\"files_applied\":4") != std::string::npos);

    ExportGenerator gen(1);
    fx.put("latest.json", gen.snapshot_object({}, s.e2));
    auto refused = fleetfuel(fx.url(), fx.dir(), "import --snapshot");
    CHECK(refused.exit_code == 3);
    auto refused_apply = fleetfuel(fx.url(), fx.dir(), "import --snapshot --apply");
    CHECK(refused_apply.exit_code == 3);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL") != "0");
}

TEST_CASE("fleetfuel import says when a snapshot soft-deletes no absent row, and why",
          "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(23);
    std::vector<GenRow> rows;
    for (long long id = 1; id <= 30; ++id) rows.push_back(gen.row(id, kBaseTime + id));
    fx.put("latest.json", gen.snapshot_object(rows, kBaseTime + 86400));
    REQUIRE(fleetfuel(fx.url(), fx.dir(), "import --snapshot --apply").exit_code == 0);

    rows.pop_back();  // row 30 is gone, and a row nobody can tell apart is in its place
    rows.push_back(GenRow{0, R"({"notes":"fill \ud83d"})", std::nullopt, std::nullopt});
    fx.put("latest.json", gen.snapshot_object(rows, kBaseTime + 2 * 86400));
    for (const char* mode : {"", " --apply"}) {
        auto r = fleetfuel(fx.url(), fx.dir(), std::string("import --snapshot --json") + mode);
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(r.out.find("\"rejected\":1,") != std::string::npos);
        CHECK(r.out.find("\"soft_deleted\":0,") != std::string::npos);
        CHECK(r.out.find("\"unidentified\":1,\"deletes_withheld\":1}") != std::string::npos);
        CHECK(r.err.find("no absent row is soft-deleted in this run; 1 would have been") !=
              std::string::npos);
        CHECK(r.err.find("unidentified 1, soft deletes withheld 1") != std::string::npos);
    }
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL") == "30");
}

TEST_CASE("fleetfuel import tells the user to migrate when the schema is missing",
          "[integration]") {
    ScratchDatabase empty;
    const auto dir = std::filesystem::temp_directory_path();
    auto r = fleetfuel(empty.url(), dir, "import --changes");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("fleetfuel migrate") != std::string::npos);
}

TEST_CASE("fleetfuel import exits 4 while another process holds the writer lock", "[integration]") {
    EngineFixture fx;
    PgSession holder(fx.url());
    holder.exec("SELECT pg_advisory_lock(" + std::to_string(ff::db::kWriterLockKey) + ")");
    auto r = fleetfuel(fx.url(), fx.dir(), "import --changes --apply", "WRITER_LOCK_WAIT=1s");
    CHECK(r.exit_code == 4);
    holder.exec("SELECT pg_advisory_unlock_all()");
    auto after = fleetfuel(fx.url(), fx.dir(), "import --changes --apply", "WRITER_LOCK_WAIT=1s");
    CHECK(after.exit_code == 0);
}

TEST_CASE(
    "An import killed with SIGKILL in the middle of large files ends, once rerun, in the exact "
    "state",
    "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(77);
    ReferenceModel model;
    // Three large change files: inserts, then updates of the same ids, then deletes of some.
    const Ts t0 = kBaseTime + 86400;
    const long long n = 20000;
    for (int f = 0; f < 3; ++f) {
        std::vector<GenChange> changes;
        for (long long id = 1; id <= n; ++id) {
            const Ts at = t0 + f * 600;
            if (f == 2 && id % 3 != 0) continue;
            if (f == 2)
                changes.push_back({"delete", id, at, std::nullopt});
            else
                changes.push_back({f == 0 ? "insert" : "update", id, at, gen.row(id, at)});
        }
        const std::string key = "changes/2026-06-02T0" + std::to_string(f) + ":00:00Z.json";
        fx.put(key, gen.change_file(changes));
        model.apply_changes(changes, t0);
    }

    fftest::ChildProcess import(
        {.args = {"import", "--changes", "--apply"},
         .env = {{"DATABASE_URL", fx.url()}, {"FUEL_SOURCE_DIR", fx.dir().string()}}});
    // Kill it once the first file is committed and the second is being staged or applied.
    bool killed = false;
    for (int i = 0; i < 6000 && !killed; ++i) {
        if (fx.pg().scalar("SELECT count(*) FROM fuel.change_files") != "0") {
            import.kill();
            killed = true;
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    REQUIRE(killed);
    CHECK(import.wait() == 128 + SIGKILL);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files") != "3");
    // Wait for the server to notice the dead session (its transaction rolls back, the lock goes).
    for (int i = 0; i < 500; ++i) {
        if (fx.pg().scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'fleetfuel'") == "0")
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }

    auto rerun = fleetfuel(fx.url(), fx.dir(), "import --changes --apply --json");
    INFO(rerun.err);
    CHECK(rerun.exit_code == 0);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'") == "3");
    fx.expect_state(model);
}
