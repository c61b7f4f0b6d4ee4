// SIGKILL at seeded points while `fleetfuel import` applies a large snapshot or change batches:
// what is committed is always a whole step, and a rerun ends in exactly the model's state.
#include <catch2/catch.hpp>
#include <chrono>

#include "big_history.hpp"
#include "faults_support.hpp"
#include "support/engine_fixture.hpp"

using namespace fftest;
using namespace std::chrono;

namespace {

constexpr int kRows = 3000;
constexpr int kFiles = 3;

Env local_import_env(EngineFixture& fx) {
    Env env = db_env(fx.url());
    env["FUEL_SOURCE_DIR"] = fx.dir().string();
    env["MAX_DELETE_FRACTION"] = "0.5";
    return env;
}

// How long an uninterrupted run of `args` takes on a fixture prepared by `prepare`.
template <class Prepare>
milliseconds calibrate(Prepare prepare, const std::vector<std::string>& args) {
    EngineFixture fx;
    prepare(fx);
    const auto start = steady_clock::now();
    auto p = run_fleetfuel(local_import_env(fx), args);
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    return duration_cast<milliseconds>(steady_clock::now() - start);
}

// A kill point in [30 ms, window]: the seed fixes where, the calibration how long the run is.
milliseconds kill_delay(std::uint32_t point, milliseconds window) {
    return milliseconds(30 + static_cast<long long>(point % 1000) * window.count() / 1000);
}

}  // namespace

TEST_CASE("A snapshot import killed at seeded points commits all or nothing and a rerun is exact",
          "[integration][faults]") {
    const BigHistory h = make_big_history(8101, kRows, 0);
    ReferenceModel before, after;
    before.apply_snapshot(h.snap_a, h.ea);
    after.apply_snapshot(h.snap_a, h.ea);
    after.apply_snapshot(h.snap_b, h.eb, false, 0.5);
    auto prepare = [&](EngineFixture& fx) {
        fx.put("latest.json", h.snap_a_body);
        REQUIRE(fx.snapshot().refused == ff::ingest::Refusal::none);
        fx.put("latest.json", h.snap_b_body);
    };
    const std::vector<std::string> args{"import", "--snapshot", "--apply"};
    const milliseconds window = calibrate(prepare, args);

    Tally total;
    int runs = 0, killed = 0;
    for (std::uint32_t point : seeded_points(8101, 10)) {
        EngineFixture fx;
        prepare(fx);
        const auto delay = kill_delay(point, window);
        INFO("kill point " << point << " delay " << delay.count() << " ms of " << window.count());
        auto p = run_fleetfuel(local_import_env(fx), args, delay);
        if (p.killed) {
            ++killed;
            // All or nothing: either A alone or A then B.
            const bool applied = fx.pg().scalar("SELECT count(*) FROM fuel.records") ==
                                 std::to_string(after.rows().size());
            const Tally mid = compare_state(fx.pg(), applied ? after : before);
            CHECK(mid.lost + mid.duplicated + mid.wrong == 0);
        }
        auto rerun = run_fleetfuel(local_import_env(fx), args);
        INFO(rerun.err);
        CHECK(rerun.exit_code == 0);
        total += expect_exact(fx.pg(), after, "snapshot kill");
        ++runs;
    }
    CHECK(killed > 0);
    record_result("SIGKILL during a snapshot import (" + std::to_string(killed) + " killed)", runs,
                  total);
}

TEST_CASE("Change batches killed at seeded points commit whole files and a rerun is exact",
          "[integration][faults]") {
    const BigHistory h = make_big_history(8202, kRows, kFiles);
    // prefix[k]: the model after snapshot A and the first k files.
    std::vector<ReferenceModel> prefix(1);
    prefix[0].apply_snapshot(h.snap_a, h.ea);
    for (const auto& f : h.files) {
        prefix.push_back(prefix.back());
        prefix.back().apply_changes(f.changes, h.ea);
    }
    auto prepare = [&](EngineFixture& fx) {
        fx.put("latest.json", h.snap_a_body);
        REQUIRE(fx.snapshot().refused == ff::ingest::Refusal::none);
        for (const auto& f : h.files) fx.put(f.key, f.body);
    };
    const std::vector<std::string> args{"import", "--changes", "--apply"};
    const milliseconds window = calibrate(prepare, args);

    Tally total;
    int runs = 0, killed = 0;
    for (std::uint32_t point : seeded_points(8202, 10)) {
        EngineFixture fx;
        prepare(fx);
        const auto delay = kill_delay(point, window);
        INFO("kill point " << point << " delay " << delay.count() << " ms of " << window.count());
        auto p = run_fleetfuel(local_import_env(fx), args, delay);
        if (p.killed) {
            ++killed;
            const auto k = std::stoul(
                fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'"));
            REQUIRE(k < prefix.size());
            const Tally mid = compare_state(fx.pg(), prefix[k]);
            CHECK(mid.lost + mid.duplicated + mid.wrong == 0);
            // The watermark never passes a file that is not recorded as applied.
            auto wm =
                fx.pg().query("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'");
            if (!wm.empty() && wm[0][0] && k > 0)
                CHECK(*wm[0][0] == "fuel_records/" + h.files[k - 1].key);
        }
        auto rerun = run_fleetfuel(local_import_env(fx), args);
        INFO(rerun.err);
        CHECK(rerun.exit_code == 0);
        CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'") ==
              std::to_string(h.files.size()));
        total += expect_exact(fx.pg(), prefix.back(), "changes kill");
        ++runs;
    }
    CHECK(killed > 0);
    record_result("SIGKILL during change batches (" + std::to_string(killed) + " killed)", runs,
                  total);
}
