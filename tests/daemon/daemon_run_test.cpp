// `fleetfuel run` end to end: the real binary against the real PostgreSQL and S3 server.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <thread>

#include "support/daemon_fixture.hpp"
#include "support/pg_test.hpp"
#include "support/run_process.hpp"
#include "support/test_env.hpp"

using namespace fftest;
using namespace std::chrono_literals;

namespace {

long long count_ids(const std::string& url, const std::string& ids) {
    PgSession pg(url);
    return std::stoll(pg.scalar("SELECT count(*) FROM fuel.records WHERE id IN (" + ids + ")"));
}

bool table_exists(const std::string& url) {
    PgSession pg(url);
    return pg.scalar("SELECT to_regclass('fuel.records') IS NOT NULL") == "t";
}

double s3_count(const Daemon& d, const std::string& op, const std::string& outcome) {
    return metric(d.metrics(),
                  "fleetfuel_s3_requests_total{op=\"" + op + "\",outcome=\"" + outcome + "\"}")
        .value_or(-1);
}

// The snapshot stream's last-success time as `pg` recorded it, in Unix seconds.
double recorded_success(PgSession& pg) {
    return std::stod(
        pg.scalar("SELECT extract(epoch FROM last_success_at) FROM fuel.ingest_state "
                  "WHERE stream = 'snapshot'"));
}

// promtool's verdict on one scrape: its output, empty when it has no complaints.
std::pair<int, std::string> promtool_check(const std::string& exposition) {
    const auto dir = make_temp_directory("promtool-");
    write_text(dir / "metrics.txt", exposition);
    const std::string cmd =
        "/usr/bin/promtool check metrics < " + (dir / "metrics.txt").string() + " 2>&1";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int status = ::pclose(p);
    std::filesystem::remove_all(dir);
    return {WEXITSTATUS(status), out};
}

}  // namespace

TEST_CASE("a change file put into the bucket reaches fuel.records and an idle poll only lists",
          "[integration]") {
    ScratchDatabase db;
    std::string bucket = unique_name("ffd-");
    for (auto& c : bucket)
        if (c == '_') c = '-';
    s3_put(bucket, "fuel_records/latest.json", snapshot_body(1, 5), true);
    Daemon daemon({{"DATABASE_URL", db.url()},
                   {"RUSTFS_ENDPOINT", s3_endpoint()},
                   {"RUSTFS_ACCESS_KEY", s3_access_key()},
                   {"RUSTFS_SECRET_KEY", s3_secret_key()},
                   {"FUEL_BUCKET", bucket},
                   {"CHANGES_INTERVAL", "500ms"},
                   {"SNAPSHOT_INTERVAL", "1h"}});
    INFO(daemon.log());
    REQUIRE(daemon.wait_ready());
    CHECK(count_ids(db.url(), "1,2,3,4,5") == 5);

    s3_put(bucket, "fuel_records/changes/2026-06-01T01-00-00Z.json", insert_changes({1001, 1002}));
    CHECK(eventually([&] { return count_ids(db.url(), "1001,1002") == 2; }, 30s));

    // Idle: more listings, no more object reads.
    const double gets = s3_count(daemon, "get", "ok");
    const double lists = s3_count(daemon, "list", "ok");
    CHECK(eventually([&] { return s3_count(daemon, "list", "ok") >= lists + 3; }, 30s));
    CHECK(s3_count(daemon, "get", "ok") == gets);

    const auto [status, complaints] = promtool_check(daemon.metrics());
    CHECK(status == 0);
    CHECK(complaints == "");
}

TEST_CASE("the ingest lag shows a refused snapshot waiting, and grows while it waits",
          "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 40));
    auto env = local_env(db.url(), dir);
    env["SNAPSHOT_INTERVAL"] = "1s";
    Daemon daemon(env);
    INFO(daemon.log());
    REQUIRE(daemon.wait_ready());
    const std::string lag = "fleetfuel_ingest_lag_seconds{stream=\"snapshot\"}";
    CHECK(metric(daemon.metrics(), lag) == 0.0);

    // Deleting 39 of 40 rows is refused by the mass-delete guard: nothing applied, lag grows.
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 1, kBaseTime + 60));
    CHECK(eventually([&] { return metric(daemon.metrics(), lag).value_or(0) > 0; }, 30s));
    const double first = metric(daemon.metrics(), lag).value_or(0);
    CHECK(eventually([&] { return metric(daemon.metrics(), lag).value_or(0) > first + 1; }, 30s));
    CHECK(metric(daemon.metrics(), "fleetfuel_snapshot_refused_total{reason=\"mass_delete\"}")
              .value_or(0) >= 1);
    CHECK(count_ids(db.url(), "1,2,3,40") == 4);
    std::filesystem::remove_all(dir);
}

TEST_CASE(
    "a change file that lands below where polls list from is applied within one snapshot "
    "interval, counted late, and the lag shows how long it waited",
    "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 3));
    // More change files than a poll lists again (the 100 newest), so that a file named before
    // them all is below where each poll starts listing.
    char name[64];
    for (int i = 0; i < 110; ++i) {
        std::snprintf(name, sizeof name, "fuel_records/changes/2026-06-02T%02d:%02d:00Z.json",
                      i / 60, i % 60);
        write_text(dir / name, insert_changes({3000 + i}));
    }
    auto env = local_env(db.url(), dir);
    env["CHANGES_INTERVAL"] = "3s";
    env["SNAPSHOT_INTERVAL"] = "10s";
    Daemon daemon(env);
    INFO(daemon.log());
    REQUIRE(daemon.wait_ready());
    REQUIRE(eventually(
        [&] {
            PgSession pg(db.url());
            return pg.scalar("SELECT count(*) FROM fuel.records WHERE id >= 3000") == "110";
        },
        60s));
    const std::string late = "fleetfuel_change_files_late_total";
    const std::string lag = "fleetfuel_ingest_lag_seconds{stream=\"changes\"}";
    CHECK(metric(daemon.metrics(), late) == 0.0);

    // Named a day before the others; its upload took an hour to land (Last-Modified an hour ago).
    const auto path = dir / "fuel_records/changes/2026-06-01T00:00:00Z.json";
    write_text(path, insert_changes({3999}));
    std::filesystem::last_write_time(path, std::filesystem::file_time_type::clock::now() - 1h);
    bool lag_seen = false;
    CHECK(eventually(
        [&] {
            const std::string m = daemon.metrics();
            lag_seen = lag_seen || metric(m, lag).value_or(0) > 3500;
            return metric(m, late).value_or(0) == 1.0 && count_ids(db.url(), "3999") == 1;
        },
        25s));  // SNAPSHOT_INTERVAL, with room for a loaded machine
    CHECK(lag_seen);
    // The next poll finds nothing pending: caught up again.
    CHECK(eventually([&] { return metric(daemon.metrics(), lag).value_or(-1) == 0.0; }, 15s));
    std::filesystem::remove_all(dir);
}

TEST_CASE("SIGTERM during a snapshot exits 0 and leaves the snapshot applied whole or not at all",
          "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");
    const int rows = 20000;
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, rows));
    auto env = local_env(db.url(), dir);
    env["SHUTDOWN_GRACE"] = "60s";
    Daemon daemon(env);
    INFO(daemon.log());
    // The snapshot is running once the schema exists and /healthz shows it started.
    REQUIRE(eventually([&] {
        const auto body = daemon.get("/healthz").body;
        return body.find("\"running_since\":\"") != std::string::npos;
    }));
    daemon.signal(SIGTERM);
    CHECK(daemon.wait_exit(90s) == 0);
    REQUIRE(table_exists(db.url()));
    PgSession pg(db.url());
    const long long stored = std::stoll(pg.scalar("SELECT count(*) FROM fuel.records"));
    const bool etag_recorded = pg.scalar(
                                   "SELECT snapshot_etag IS NOT NULL FROM fuel.ingest_state "
                                   "WHERE stream = 'snapshot'") == "t";
    CHECK((stored == 0 || stored == rows));
    CHECK(etag_recorded == (stored == rows));
    // Other tests run daemons in parallel: only this database's sessions count, and a backend
    // leaves pg_stat_activity a moment after its client has gone.
    CHECK(eventually([&] {
        return pg.scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'fleetfuel' "
                   "AND datname = current_database()") == "0";
    }));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a second daemon stays standby and takes over when the leader is killed",
          "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 3));
    Daemon first(local_env(db.url(), dir));
    INFO(first.log());
    REQUIRE(first.wait_ready());
    Daemon second(local_env(db.url(), dir));
    INFO(second.log());
    REQUIRE(second.wait_ready(Daemon::Role::standby));  // ready once the database answers
    CHECK(metric(second.metrics(), "fleetfuel_leader") == 0.0);
    CHECK(metric(first.metrics(), "fleetfuel_leader") == 1.0);

    first.signal(SIGKILL);
    REQUIRE(first.wait_exit(10s).has_value());
    CHECK(eventually([&] { return metric(second.metrics(), "fleetfuel_leader") == 1.0; }));
    CHECK(second.get("/healthz").body.find("\"role\":\"leader\"") != std::string::npos);
    write_text(dir / "fuel_records/changes/2026-06-01T01-00-00Z.json", insert_changes({77}));
    CHECK(eventually([&] { return count_ids(db.url(), "77") == 1; }, 30s));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a daemon that has not yet tried the writer lock is alive but not ready",
          "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 3));
    // Before its first writer-lock attempt a replica reads the rules in force: a lock on
    // fuel.rules_history parks it between connecting and that attempt.
    REQUIRE(run_fleetfuel({"migrate"}, {{"DATABASE_URL", db.url()}}).exit_code == 0);
    auto migrating = std::make_unique<PgSession>(db.url());
    migrating->exec("BEGIN; LOCK TABLE fuel.rules_history IN ACCESS EXCLUSIVE MODE");
    Daemon daemon(local_env(db.url(), dir));
    INFO(daemon.log());
    REQUIRE(eventually([&] {
        return daemon.get("/healthz").body.find("\"db_reachable\":true") != std::string::npos;
    }));
    CHECK(daemon.get("/healthz").status == 200);
    const auto ready = daemon.get("/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("\"role\":\"starting\"") != std::string::npos);

    migrating.reset();  // the daemon reads the rules, tries the lock, migrates and leads
    CHECK(daemon.wait_ready());
    std::filesystem::remove_all(dir);
}

TEST_CASE("the watchdog ends a daemon whose event loop is blocked with exit code 70",
          "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");
    auto env = local_env(db.url(), dir);
    env["WATCHDOG_TIMEOUT"] = "2s";
    env["FLEETFUEL_TEST_BLOCK_LOOP_MS"] = "60000";
    Daemon daemon(env);
    INFO(daemon.log());
    CHECK(daemon.wait_exit(50s) == 70);
    CHECK_THAT(daemon.log(), Catch::Contains("event loop has not run"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("a real Prometheus scraping the daemon sees the target up and the lag series",
          "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");
    write_text(dir / "fuel_records/latest.json", snapshot_body(1, 3));
    Daemon daemon(local_env(db.url(), dir));
    INFO(daemon.log());
    REQUIRE(daemon.wait_ready());

    Prometheus prometheus({daemon.port()});
    const auto query = [&](const std::string& q) { return prometheus.api("query?query=" + q); };
    CHECK(eventually([&] {
        return query("up%7Bjob%3D%22fleetfuel%22%7D").find("\"1\"]") != std::string::npos;
    }));
    CHECK(eventually([&] {
        return query("fleetfuel_ingest_lag_seconds").find("\"stream\":\"changes\"") !=
               std::string::npos;
    }));
    std::filesystem::remove_all(dir);
}

TEST_CASE(
    "a restarted daemon reports the last success fuel.ingest_state recorded, so the alert "
    "rule judges its real age at today's clock",
    "[integration]") {
    ScratchDatabase db;
    const auto dir = make_temp_directory("export-");  // no latest.json: every snapshot fails
    REQUIRE(run_fleetfuel({"migrate"}, {{"DATABASE_URL", db.url()}}).exit_code == 0);
    PgSession pg(db.url());
    const std::string snapshot_gauge =
        "fleetfuel_last_success_timestamp_seconds{stream=\"snapshot\"}";
    const auto rules = std::string(FF_SOURCE_DIR) + "/deploy/prometheus/fleetfuel.rules.yml";
    const auto active_alerts = [](const Prometheus& p) { return p.api("alerts"); };

    // Before the restart, a snapshot succeeded 30 minutes ago.
    pg.exec(
        "UPDATE fuel.ingest_state SET last_success_at = now() - interval '30 minutes' "
        "WHERE stream = 'snapshot'");
    const double half_hour_ago = recorded_success(pg);
    {
        Daemon daemon(local_env(db.url(), dir));
        INFO(daemon.log());
        REQUIRE(eventually([&] {
            return metric(daemon.metrics(), "fleetfuel_files_total{outcome=\"failed\"}")
                       .value_or(0) >= 1;
        }));
        CHECK(metric(daemon.metrics(), snapshot_gauge).value_or(0) ==
              Approx(half_hour_ago).epsilon(0).margin(0.5));
        Prometheus prometheus({daemon.port()}, {rules});
        REQUIRE(eventually([&] {
            return prometheus.api("query?query=fleetfuel_last_success_timestamp_seconds")
                       .find("\"snapshot\"") != std::string::npos;
        }));
        std::this_thread::sleep_for(3s);  // three rule evaluations at 1 s
        const auto alerts = active_alerts(prometheus);
        INFO(alerts);
        CHECK(alerts.find("\"status\":\"success\"") != std::string::npos);
        CHECK(alerts.find("FleetFuelSnapshotNotApplied") == std::string::npos);
        CHECK(alerts.find("FleetFuelSnapshotNeverApplied") == std::string::npos);
        daemon.signal(SIGTERM);
        CHECK(daemon.wait_exit(20s) == 0);
    }

    // The same restart when the last success is 3 hours old: the rule does see it (pending for
    // its 5 minutes), with the real age rather than "56 years".
    pg.exec(
        "UPDATE fuel.ingest_state SET last_success_at = now() - interval '3 hours' "
        "WHERE stream = 'snapshot'");
    Daemon daemon(local_env(db.url(), dir));
    INFO(daemon.log());
    Prometheus prometheus({daemon.port()}, {rules});
    CHECK(eventually([&] {
        const auto alerts = active_alerts(prometheus);
        return alerts.find("FleetFuelSnapshotNotApplied") != std::string::npos &&
               alerts.find("\"state\":\"pending\"") != std::string::npos;
    }));
    const auto alerts = active_alerts(prometheus);
    INFO(alerts);
    CHECK_THAT(alerts, Catch::Contains("was 3h 0m"));
    std::filesystem::remove_all(dir);
}
