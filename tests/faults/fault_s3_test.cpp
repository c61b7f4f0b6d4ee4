// S3 faults under `fleetfuel import` (through tests/s3's fault proxy in front of s3rver): 503
// SlowDown, resets mid-body, short bodies, stalls past the read timeout, the endpoint down.
// A failed run leaves a whole prefix of the history applied and the watermark on it; the next
// clean run converges exactly.
#include <catch2/catch.hpp>

#include "faults_support.hpp"
#include "support/engine_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/test_env.hpp"

using namespace fftest;
using Fault = s3test::FaultProxy::Fault;

namespace {

// models[0]: nothing; models[1]: snapshot 1; models[1 + k]: snapshot 1 and the first k files.
std::vector<ReferenceModel> prefix_models(const Scenario& s) {
    std::vector<ReferenceModel> m(2);
    m[1].apply_snapshot(s.snap1, s.e1);
    for (const auto& f : s.files) {
        m.push_back(m.back());
        m.back().apply_changes(f.changes, f.file_time);
    }
    return m;
}

Env s3_env(const std::string& db_url, const std::string& endpoint, const std::string& bucket) {
    Env env = db_env(db_url);
    env["RUSTFS_ENDPOINT"] = endpoint;
    env["RUSTFS_ACCESS_KEY"] = s3_access_key();
    env["RUSTFS_SECRET_KEY"] = s3_secret_key();
    env["FUEL_BUCKET"] = bucket;
    env["S3_READ_TIMEOUT"] = "1s";
    env["S3_CONNECT_TIMEOUT"] = "1s";
    env["S3_MAX_ATTEMPTS"] = "2";
    env["S3_BACKOFF_BASE"] = "10ms";
    env["S3_BACKOFF_CAP"] = "50ms";
    return env;
}

// The state after a failed run is one of the prefixes, and the watermark sits on its last file.
Tally check_prefix_state(PgSession& pg, const Scenario& s,
                         const std::vector<ReferenceModel>& models) {
    const auto files =
        std::stoul(pg.scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'"));
    const bool snapshot = pg.scalar(
                              "SELECT count(*) FROM fuel.ingest_state WHERE stream = "
                              "'snapshot' AND snapshot_etag IS NOT NULL") == "1";
    INFO("snapshot applied " << snapshot << ", files applied " << files);
    REQUIRE((snapshot || files == 0));
    const auto& model = models[snapshot ? 1 + files : 0];
    auto wm = pg.query("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'");
    const std::string watermark = wm.empty() || !wm[0][0] ? "" : *wm[0][0];
    CHECK(watermark == (files == 0 ? std::string() : "fuel_records/" + s.files[files - 1].key));
    return compare_state(pg, model);
}

void run_fault(const char* name, Fault fault, std::uint32_t seed) {
    EngineFixture fx(StoreKind::s3);
    const Scenario s = make_scenario(seed);
    const auto models = prefix_models(s);
    fx.put("latest.json", s.snap1_body);
    for (const auto& f : s.files) fx.put(f.key, f.body);
    s3test::FaultProxy proxy(s3_endpoint());
    const Env env = s3_env(fx.url(), proxy.endpoint(), fx.bucket());
    const std::vector<std::string> args{"import", "--snapshot", "--changes", "--apply"};

    Tally total;
    int runs = 0, failed = 0;
    // Requests 1..n pass, then every request faults (more than the attempts allowed): the run
    // fails at a different step each time, and what it committed must be a whole prefix.
    for (int passing : {0, 1, 2, 3, 4, 6, 8}) {
        std::vector<Fault> plan(passing, Fault::pass);
        plan.insert(plan.end(), 30, fault);
        proxy.plan(plan);
        auto p = run_fleetfuel(env, args);
        INFO(name << " after " << passing << " passing requests: exit " << p.exit_code << "\n"
                  << p.err);
        if (p.exit_code != 0) ++failed;
        CHECK((p.exit_code == 0 || p.exit_code == 1));
        const Tally mid = check_prefix_state(fx.pg(), s, models);
        CHECK(mid.lost + mid.duplicated + mid.wrong == 0);
        ++runs;
    }
    CHECK(failed > 0);
    proxy.plan({});
    auto clean = run_fleetfuel(env, args);
    INFO(clean.err);
    CHECK(clean.exit_code == 0);
    total += expect_exact(fx.pg(), models.back(), name);
    record_result(std::string("S3 ") + name + " (" + std::to_string(failed) + " runs failed)",
                  runs + 1, total);
}

}  // namespace

TEST_CASE("S3 answering 503 SlowDown fails the run cleanly and the next run converges exactly",
          "[integration][faults]") {
    run_fault("503 SlowDown", Fault::status_503, 301);
}

TEST_CASE("S3 connections reset mid-body never leave a partial file applied",
          "[integration][faults]") {
    run_fault("connection reset mid-body", Fault::reset_mid_body, 302);
}

TEST_CASE("S3 bodies cut short are never applied as short objects", "[integration][faults]") {
    run_fault("body cut short", Fault::cut_short, 303);
}

TEST_CASE("S3 responses stalling past the read timeout fail the run and the next run converges",
          "[integration][faults]") {
    run_fault("stall past the read timeout", Fault::stall, 304);
}

TEST_CASE("An S3 endpoint that is down fails the import and, once back, the import is exact",
          "[integration][faults]") {
    EngineFixture fx(StoreKind::s3);
    const Scenario s = make_scenario(305);
    const auto models = prefix_models(s);
    fx.put("latest.json", s.snap1_body);
    for (const auto& f : s.files) fx.put(f.key, f.body);
    const std::vector<std::string> args{"import", "--snapshot", "--changes", "--apply"};
    Tally total;
    {
        // The proxy's port, closed: connection refused, as for an endpoint that is down.
        std::string down;
        {
            s3test::FaultProxy gone(s3_endpoint());
            down = gone.endpoint();
        }
        for (int i = 0; i < 3; ++i) {
            auto p = run_fleetfuel(s3_env(fx.url(), down, fx.bucket()), args);
            CHECK(p.exit_code == 1);
            CHECK(check_prefix_state(fx.pg(), s, models).lost == 0);
            CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records") == "0");
        }
    }
    auto back = run_fleetfuel(s3_env(fx.url(), s3_endpoint(), fx.bucket()), args);
    INFO(back.err);
    CHECK(back.exit_code == 0);
    total += expect_exact(fx.pg(), models.back(), "endpoint down");
    record_result("S3 endpoint down (connection refused) then back", 4, total);
}
