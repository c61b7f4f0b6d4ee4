// PostgreSQL faults under `fleetfuel import`: the writer's backend terminated mid-transaction, a
// statement timeout, and a disk-full error raised while a file is applied. The failed run keeps
// whole files only, the watermark stays on the last applied one, and the rerun is exact.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "big_history.hpp"
#include "faults_support.hpp"
#include "support/engine_fixture.hpp"

using namespace fftest;
using namespace std::chrono;

namespace {

std::vector<ReferenceModel> change_prefixes(const std::vector<GenRow>& snap, Ts exported_at,
                                            const std::vector<std::vector<GenChange>>& files,
                                            Ts file_time) {
    std::vector<ReferenceModel> m(1);
    m[0].apply_snapshot(snap, exported_at);
    for (const auto& f : files) {
        m.push_back(m.back());
        m.back().apply_changes(f, file_time);
    }
    return m;
}

// Compares with the prefix model of the files recorded as applied, and checks the watermark.
void expect_whole_files(PgSession& pg, const std::vector<ReferenceModel>& prefixes,
                        const std::vector<std::string>& keys) {
    const auto k =
        std::stoul(pg.scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'"));
    CHECK(pg.scalar("SELECT count(*) FROM fuel.change_files WHERE status <> 'applied'") == "0");
    REQUIRE(k < prefixes.size());
    const Tally t = compare_state(pg, prefixes[k]);
    INFO("files applied " << k);
    CHECK(t.lost + t.duplicated + t.wrong == 0);
    auto wm = pg.query("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'");
    const std::string watermark = wm.empty() || !wm[0][0] ? "" : *wm[0][0];
    CHECK(watermark == (k == 0 ? std::string() : "fuel_records/" + keys[k - 1]));
}

// Waits until a fleetfuel session of this database is inside a transaction.
bool eventually_in_xact(PgSession& pg) {
    for (int i = 0; i < 3000; ++i) {
        if (pg.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                      "'fleetfuel' AND datname = current_database() AND xact_start IS NOT "
                      "NULL") != "0")
            return true;
        std::this_thread::sleep_for(milliseconds(5));
    }
    return false;
}

Env local_env(EngineFixture& fx) {
    Env env = db_env(fx.url());
    env["FUEL_SOURCE_DIR"] = fx.dir().string();
    return env;
}

}  // namespace

TEST_CASE("The writer's backend terminated mid-transaction loses nothing once the import reruns",
          "[integration][faults]") {
    const BigHistory h = make_big_history(9301, 3000, 3);
    std::vector<std::vector<GenChange>> files;
    std::vector<std::string> keys;
    for (const auto& f : h.files) files.push_back(f.changes), keys.push_back(f.key);
    const auto prefixes = change_prefixes(h.snap_a, h.ea, files, h.ea);
    const std::vector<std::string> args{"import", "--changes", "--apply"};

    Tally total;
    int runs = 0, terminated = 0;
    for (std::uint32_t point : seeded_points(9301, 3)) {
        EngineFixture fx;
        fx.put("latest.json", h.snap_a_body);
        fx.snapshot();
        for (const auto& f : h.files) fx.put(f.key, f.body);
        Proc p;
        std::thread runner([&] { p = run_fleetfuel(local_env(fx), args); });
        // Once the writer has a transaction open, wait a seeded while, then terminate it.
        PgSession killer(fx.url());
        bool in_xact = eventually_in_xact(killer);
        std::this_thread::sleep_for(milliseconds(point % 1500));
        const auto n = killer.scalar(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
            "application_name = 'fleetfuel' AND datname = current_database()");
        runner.join();
        INFO("point " << point << " exit " << p.exit_code << "\n" << p.err);
        if (n != "0" && p.exit_code != 0) ++terminated;
        CHECK(in_xact);
        CHECK((p.exit_code == 0 || p.exit_code == 1));
        expect_whole_files(fx.pg(), prefixes, keys);
        auto rerun = run_fleetfuel(local_env(fx), args);
        INFO(rerun.err);
        CHECK(rerun.exit_code == 0);
        total += expect_exact(fx.pg(), prefixes.back(), "pg_terminate_backend");
        ++runs;
    }
    CHECK(terminated > 0);
    record_result("PostgreSQL backend terminated mid-transaction (" + std::to_string(terminated) +
                      " terminated)",
                  runs, total);
}

TEST_CASE("A statement timeout fails the import and a rerun with a sane timeout is exact",
          "[integration][faults]") {
    const BigHistory h = make_big_history(9302, 2000, 2);
    std::vector<std::vector<GenChange>> files;
    std::vector<std::string> keys;
    for (const auto& f : h.files) files.push_back(f.changes), keys.push_back(f.key);
    const auto prefixes = change_prefixes(h.snap_a, h.ea, files, h.ea);
    EngineFixture fx;
    fx.put("latest.json", h.snap_a_body);
    fx.snapshot();
    for (const auto& f : h.files) fx.put(f.key, f.body);
    Env tiny = local_env(fx);
    tiny["DB_STATEMENT_TIMEOUT"] = "5ms";
    auto p = run_fleetfuel(tiny, {"import", "--changes", "--apply"});
    INFO(p.err);
    CHECK(p.exit_code == 1);
    expect_whole_files(fx.pg(), prefixes, keys);
    auto rerun = run_fleetfuel(local_env(fx), {"import", "--changes", "--apply"});
    INFO(rerun.err);
    CHECK(rerun.exit_code == 0);
    record_result("PostgreSQL statement timeout (5 ms) then rerun", 2,
                  expect_exact(fx.pg(), prefixes.back(), "statement timeout"));
}

TEST_CASE("A disk-full error while a file is applied is retried, never quarantined or half-applied",
          "[integration][faults]") {
    EngineFixture fx;
    const Scenario s = make_scenario(9303);
    std::vector<std::vector<GenChange>> files;
    std::vector<std::string> keys;
    for (const auto& f : s.files) files.push_back(f.changes), keys.push_back(f.key);
    // The changes' own file times, as the engine scenario test uses them.
    std::vector<ReferenceModel> prefixes(1);
    prefixes[0].apply_snapshot(s.snap1, s.e1);
    for (const auto& f : s.files) {
        prefixes.push_back(prefixes.back());
        prefixes.back().apply_changes(f.changes, f.file_time);
    }
    fx.put("latest.json", s.snap1_body);
    fx.snapshot();
    for (const auto& f : s.files) fx.put(f.key, f.body);
    // Id 65 is first written by f1: the write raises SQLSTATE 53100 (disk_full).
    fx.pg().exec(
        "CREATE FUNCTION public.ff_fail_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.id = 65 THEN RAISE EXCEPTION 'could not extend file: No space left on device' "
        "USING ERRCODE = '53100'; END IF; RETURN NEW; END $$;"
        "CREATE TRIGGER ff_fail_one BEFORE INSERT OR UPDATE ON fuel.records "
        "FOR EACH ROW EXECUTE FUNCTION public.ff_fail_one();");
    int failed = 0;
    for (int i = 0; i < 2; ++i) {
        auto p = run_fleetfuel(local_env(fx), {"import", "--changes", "--apply"});
        INFO(p.err);
        CHECK(p.exit_code == 1);
        failed += p.exit_code == 1;
        CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'") ==
              "1");
        expect_whole_files(fx.pg(), prefixes, keys);
    }
    fx.pg().exec("DROP TRIGGER ff_fail_one ON fuel.records; DROP FUNCTION public.ff_fail_one();");
    auto rerun = run_fleetfuel(local_env(fx), {"import", "--changes", "--apply"});
    INFO(rerun.err);
    CHECK(rerun.exit_code == 0);
    record_result("PostgreSQL disk-full error (53100) on one row, twice, then removed", 3,
                  expect_exact(fx.pg(), prefixes.back(), "disk full"));
}
