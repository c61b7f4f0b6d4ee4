// Rules across releases with the real binaries against one PostgreSQL: `fleetfuel` (this release's
// rules) and fleetfuel_next_rules (a newer release: the same rules, and fuel type "gasoil" read as
// diesel). A rolling deploy, a rollback, a SIGKILL in the middle of an upgrade with a reader
// looking on, and a newer release that may not migrate by itself.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "support/daemon_fixture.hpp"
#include "support/daemon_harness.hpp"
#include "support/pg_test.hpp"
#include "support/run_process.hpp"

using namespace fftest;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kNext = FF_NEXT_RULES_BIN;

// One row; every fourth id is "gasoil", which only the next rules read as diesel.
std::string row(long long id) {
    return "{\"id\": " + std::to_string(id) + ", \"fuel_type\": \"" +
           (id % 4 == 0 ? "gasoil" : "Diesel") +
           "\", \"vehicle_reg\": \"KDA 123A\", \"litres\": \"40\", \"price_per_litre\": "
           "\"KES 180\", \"reported_at\": \"2026-06-11 08:30:00\", \"updated_at\": "
           "\"2026-06-11T05:30:00Z\"}";
}

std::string snapshot(long long rows) {
    std::string out =
        "{\"table\": \"logistics_department.fuel_records\", \"exported_at\": "
        "\"2026-06-11T06:00:00Z\", \"row_count\": " +
        std::to_string(rows) + ", \"rows\": [";
    for (long long id = 1; id <= rows; ++id) out += (id > 1 ? ",\n" : "\n") + row(id);
    return out + "]}";
}

// A change file inserting `id`, as the exporter names them.
void put_change(const fs::path& dir, int minute, long long id) {
    const std::string mm = (minute < 10 ? "0" : "") + std::to_string(minute);
    write_text(dir / "fuel_records" / "changes" / ("2026-06-11T07:" + mm + ":00Z.json"),
               "{\"table\": \"logistics_department.fuel_records\", \"changes\": [{\"op\": "
               "\"insert\", \"id\": " +
                   std::to_string(id) + ", \"changed_at\": \"2026-06-11T07:" + mm +
                   ":00Z\", \"row\": " + row(id) + "}]}");
}

// The rules version a binary reports: "2-5f2a9c1e0b7d" from its --version.
std::string rules_of(const std::string& binary) {
    const auto out = run_fleetfuel({"--version"}, {}, "", binary).out;
    const std::string marker = "normalisation rules ";
    const auto at = out.find(marker);
    REQUIRE(at != std::string::npos);
    const auto start = at + marker.size();
    return out.substr(start, out.find_first_of(" )", start) - start);
}

struct Setup {
    ScratchDatabase db;
    fs::path dir = make_temp_directory("rules-");
    Env env = local_env(db.url(), dir);
    PgSession pg{db.url()};

    // `rows` rows loaded by this release, one-shot.
    explicit Setup(long long rows) {
        write_text(dir / "fuel_records" / "latest.json", snapshot(rows));
        REQUIRE(run({"migrate"}).exit_code == 0);
        const auto imported = run({"import", "--snapshot", "--apply"});
        INFO(imported.err);
        REQUIRE(imported.exit_code == 0);
    }
    ~Setup() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    ProcessResult run(const std::vector<std::string>& args, const std::string& binary = "") {
        return run_fleetfuel(args, env, "", binary);
    }
    // "2-5f2a9c1e0b7d:upgrade": the version in force and how it came.
    std::string in_force() {
        return pg.scalar(
            "SELECT serial || '-' || left(hash, 12) || ':' || action FROM fuel.rules_history "
            "ORDER BY id DESC LIMIT 1");
    }
    // How the stored gasoil rows read: "gasoil" (this release) or "diesel" (the next rules); a
    // mixed table reads as both.
    std::string gasoil() {
        return pg.scalar(
            "SELECT coalesce(string_agg(DISTINCT fuel_type, ','), '(none)') FROM fuel.records "
            "WHERE raw ->> 'fuel_type' = 'gasoil'");
    }
    std::string normalise_gasoil() {
        return pg.scalar("SELECT fuel_type FROM fuel.normalise('{\"fuel_type\": \"gasoil\"}')");
    }
    bool has_row(long long id) {
        return pg.scalar("SELECT count(*) FROM fuel.records WHERE id = $1", {std::to_string(id)}) ==
               "1";
    }
    std::string fuel_type(long long id) {
        return pg.scalar("SELECT fuel_type FROM fuel.records WHERE id = $1", {std::to_string(id)});
    }
    // The writer lock, "FFWRITER" (lib/db/advisory_lock.hpp), as pg_locks shows a bigint key, in
    // this database (the other tests' databases are in the same cluster).
    bool writer_lock_free() {
        return pg.scalar(
                   "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = "
                   "x'46465752'::int::oid AND objid = x'49544552'::int::oid AND database = "
                   "(SELECT oid FROM pg_database WHERE datname = current_database())") == "0";
    }
    void verify_passes(const std::string& binary) {
        const auto v = run({"verify", "--json", "--source-dir", dir.string()}, binary);
        INFO(v.out << v.err);
        CHECK(v.exit_code == 0);
        CHECK(v.out.find("{\"check\":\"rules\",\"ok\":true") != std::string::npos);
    }
};

}  // namespace

TEST_CASE("a rolling deploy: the newer release waits, then upgrades every row when it leads",
          "[rules][integration]") {
    const std::string old_rules = rules_of(""), next_rules = rules_of(kNext);
    REQUIRE(old_rules != next_rules);
    Setup s(20);
    CHECK(s.in_force() == old_rules + ":install");
    Daemon old(s.env);
    REQUIRE(old.wait_ready(Daemon::Role::leader));
    const auto history = s.pg.scalar("SELECT count(*) FROM fuel.rules_history");
    const auto migrations = s.pg.scalar(
        "SELECT string_agg(script || checksum || installed_at, ',' ORDER BY script) FROM "
        "fuel.schema_migrations");

    // The newer release starts beside it (Coolify starts the new container first): a standby,
    // ready, that changes nothing.
    Daemon next(s.env, kNext);
    REQUIRE(next.wait_ready(Daemon::Role::standby));
    std::this_thread::sleep_for(1s);
    CHECK(s.pg.scalar("SELECT count(*) FROM fuel.rules_history") == history);
    CHECK(s.pg.scalar("SELECT string_agg(script || checksum || installed_at, ',' ORDER BY "
                      "script) FROM fuel.schema_migrations") == migrations);
    CHECK(s.normalise_gasoil() == "gasoil");
    CHECK(metric(next.metrics(), "fleetfuel_rules_mismatch") == 0);
    CHECK(metric(next.metrics(), "fleetfuel_leader") == 0);
    s.verify_passes("");
    s.verify_passes(kNext);  // the rows agree with the rules in force, older than its own

    // The old leader goes on writing, with its rules.
    put_change(s.dir, 1, 1004);
    REQUIRE(eventually([&] { return s.has_row(1004); }, 30s));
    CHECK(s.fuel_type(1004) == "gasoil");
    CHECK(s.gasoil() == "gasoil");

    old.signal(SIGTERM);
    CHECK(old.wait_exit(20s) == 0);
    REQUIRE(next.wait_ready(Daemon::Role::leader, 60s));
    CHECK(s.in_force() == next_rules + ":upgrade");
    CHECK(s.gasoil() == "diesel");  // every stored row, 1004 written by the old leader included
    CHECK(s.pg.scalar("SELECT rows_total || '/' || rows_changed FROM fuel.rules_history ORDER BY "
                      "id DESC LIMIT 1") == "21/6");
    put_change(s.dir, 2, 1008);
    REQUIRE(eventually([&] { return s.has_row(1008); }, 30s));
    CHECK(s.fuel_type(1008) == "diesel");
    CHECK(next.log().find("(upgrade): 21 stored rows normalised again, 6 changed") !=
          std::string::npos);
    s.verify_passes(kNext);
    s.verify_passes("");  // the older binary reads them as the newer rules' rows
}

TEST_CASE("a rollback: the older release writes nothing until migrate --allow-downgrade",
          "[rules][integration]") {
    const std::string old_rules = rules_of(""), next_rules = rules_of(kNext);
    Setup s(12);
    REQUIRE(s.run({"migrate"}, kNext).exit_code == 0);
    REQUIRE(s.in_force() == next_rules + ":upgrade");
    REQUIRE(s.gasoil() == "diesel");

    Daemon old(s.env);
    REQUIRE(eventually([&] {
        const auto ready = old.get("/readyz");
        return ready.status == 503 &&
               ready.body.find("\"reason\":\"rules_newer_in_database\"") != std::string::npos;
    }));
    CHECK(old.get("/healthz").status == 200);
    CHECK(metric(old.metrics(), "fleetfuel_rules_mismatch") == 1);
    CHECK(metric(old.metrics(), "fleetfuel_leader") == 0);
    put_change(s.dir, 3, 2004);
    std::this_thread::sleep_for(5s);  // ten polls' worth, and more than one standby round
    CHECK_FALSE(s.has_row(2004));
    CHECK(s.pg.scalar("SELECT count(*) FROM fuel.change_files") == "0");
    CHECK(s.writer_lock_free());  // so an operator's migrate can take it
    CHECK(s.gasoil() == "diesel");
    // One log line a minute, however often it looks.
    const auto log = old.log();
    std::size_t lines = 0;
    for (auto at = log.find("(rules_newer_in_database)"); at != std::string::npos;
         at = log.find("(rules_newer_in_database)", at + 1))
        ++lines;
    CHECK(lines == 1);

    // The one-shot writers refuse too; verify reads that the rows agree with the rules in force.
    CHECK(s.run({"import", "--changes", "--apply", "--source-dir", s.dir.string()}).exit_code == 3);
    CHECK_FALSE(s.has_row(2004));
    const auto refused = s.run({"migrate"});
    CHECK(refused.exit_code == 3);
    CHECK(refused.err.find("--allow-downgrade") != std::string::npos);
    CHECK(s.in_force() == next_rules + ":upgrade");
    s.verify_passes("");
    const auto checked = s.run({"check"});
    CHECK(checked.exit_code == 1);
    CHECK(checked.out.find("rules_newer_in_database") != std::string::npos);

    // On purpose: the older rules come back with every row, and the daemon resumes by itself.
    const auto downgrade = s.run({"migrate", "--allow-downgrade"});
    INFO(downgrade.err);
    REQUIRE(downgrade.exit_code == 0);
    CHECK(s.in_force() == old_rules + ":downgrade");
    REQUIRE(old.wait_ready(Daemon::Role::leader, 30s));
    REQUIRE(eventually([&] { return s.has_row(2004); }, 30s));
    CHECK(s.gasoil() == "gasoil");
    CHECK(metric(old.metrics(), "fleetfuel_rules_mismatch") == 0);
    s.verify_passes("");
    s.verify_passes(kNext);
}

TEST_CASE(
    "an upgrade killed half-way leaves the old rules in force, readers see only them, and "
    "the next start completes it",
    "[rules][integration]") {
    const std::string old_rules = rules_of(""), next_rules = rules_of(kNext);
    Setup s(12'000);  // two batches of 10 000
    s.env["DB_LOCK_TIMEOUT"] = "60s";
    // A row of the second batch that the upgrade must change, locked: the upgrade stops there,
    // its first batch rewritten in its open transaction.
    PgSession locker(s.db.url());
    locker.exec("BEGIN; SELECT 1 FROM fuel.records WHERE id = 12000 FOR UPDATE");

    Daemon next(s.env, kNext);
    REQUIRE(eventually(
        [&] {
            return s.pg.scalar(
                       "SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                       "'%fuel.renormalise%' AND wait_event_type = 'Lock' AND datname = "
                       "current_database()") == "1";
        },
        60s));
    CHECK(next.log().find("rules: 10000 rows normalised again, 2500 changed") != std::string::npos);
    // A reader meanwhile: the old rules everywhere, the first batch's rows included.
    CHECK(s.gasoil() == "gasoil");
    CHECK(s.normalise_gasoil() == "gasoil");
    CHECK(s.in_force() == old_rules + ":install");
    CHECK(s.pg.scalar("SELECT count(*) FROM reporting.v_fuel_fills WHERE fuel_type = 'diesel'") ==
          "9000");

    next.signal(SIGKILL);
    CHECK(next.wait_exit(10s) == 128 + SIGKILL);
    locker.exec("ROLLBACK");
    // Its session ends once the server finds the client gone; the lock goes with it.
    REQUIRE(eventually([&] { return s.writer_lock_free(); }, 30s));
    CHECK(s.in_force() == old_rules + ":install");
    CHECK(s.gasoil() == "gasoil");
    CHECK(s.normalise_gasoil() == "gasoil");
    s.verify_passes("");
    s.verify_passes(kNext);

    Daemon again(s.env, kNext);
    REQUIRE(again.wait_ready(Daemon::Role::leader, 60s));
    CHECK(s.in_force() == next_rules + ":upgrade");
    CHECK(s.gasoil() == "diesel");
    CHECK(s.pg.scalar("SELECT count(*) FROM reporting.v_fuel_fills WHERE fuel_type = 'diesel'") ==
          "12000");
    s.verify_passes(kNext);
}

TEST_CASE("without FUEL_MIGRATE_ON_START a newer release does not write until fleetfuel migrate",
          "[rules][integration]") {
    const std::string next_rules = rules_of(kNext);
    Setup s(8);
    s.env["FUEL_MIGRATE_ON_START"] = "false";
    Daemon next(s.env, kNext);
    REQUIRE(eventually([&] {
        return next.get("/readyz").body.find("\"reason\":\"rules_older_in_database\"") !=
               std::string::npos;
    }));
    CHECK(metric(next.metrics(), "fleetfuel_rules_mismatch") == 1);
    put_change(s.dir, 4, 3004);
    std::this_thread::sleep_for(3s);
    CHECK_FALSE(s.has_row(3004));
    CHECK(s.gasoil() == "gasoil");

    REQUIRE(s.run({"migrate"}, kNext).exit_code == 0);
    CHECK(s.in_force() == next_rules + ":upgrade");
    REQUIRE(next.wait_ready(Daemon::Role::leader, 30s));
    REQUIRE(eventually([&] { return s.has_row(3004); }, 30s));
    CHECK(s.fuel_type(3004) == "diesel");
    CHECK(metric(next.metrics(), "fleetfuel_rules_mismatch") == 0);
}
