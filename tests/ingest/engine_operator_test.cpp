// fleetfuel rejects | requeue | reset-watermark through the real binary, after a real import that
// quarantined a file and rejected a row: what they list, what the dry runs leave alone, what
// --apply changes, and the exit codes (unknown key, usage, writer lock held).
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "db/advisory_lock.hpp"
#include "db/rules.hpp"
#include "support/engine_fixture.hpp"
#include "support/run_process.hpp"
#include "support/test_env.hpp"

using namespace fftest;

namespace {

// Runs fleetfuel with a clean environment: the database, the local source directory, and `extra`
// ("NAME=value", or empty).
fftest::ProcessResult fleetfuel(const EngineFixture& fx, const std::string& args,
                                const std::string& extra = "") {
    std::map<std::string, std::string> env{{"PATH", "/usr/bin:/bin"},
                                           {"DATABASE_URL", fx.url()},
                                           {"FUEL_SOURCE_DIR", fx.dir().string()}};
    if (const auto eq = extra.find('='); eq != std::string::npos)
        env[extra.substr(0, eq)] = extra.substr(eq + 1);
    return fftest::run_fleetfuel(fftest::words(args), env);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

const std::string kRowsKey = "changes/2026-06-02T01:00:00Z.json";
const std::string kBrokenKey = "changes/2026-06-02T02:00:00Z.json";
const std::string kFullRows = "fuel_records/" + kRowsKey;
const std::string kFullBroken = "fuel_records/" + kBrokenKey;

// An import that applies one file with a bad row (no id) and quarantines one file that is not
// JSON. The broken file is the fixable one corrupted in place at the same size, so putting the
// fixed content back with the old mtime keeps the ETag (local store: mtime + size): only a
// requeue can make the engine retry it.
struct Quarantined {
    EngineFixture fx;
    std::string fixed_body;
    std::filesystem::path broken_path;

    Quarantined() {
        ExportGenerator gen(5);
        auto good = gen.row(801, kBaseTime + 3600);
        fx.put(kRowsKey, "{\"changes\": [{\"op\": \"insert\", \"id\": 801, \"row\": " + good.json +
                             "}, {\"op\": \"insert\", \"row\": {\"litres\": 3}}]}");
        std::vector<GenChange> fix{
            {"insert", 900, kBaseTime + 7200, gen.row(900, kBaseTime + 7200)}};
        fixed_body = gen.change_file(fix);
        std::string broken = fixed_body;
        broken[0] = '<';
        fx.put(kBrokenKey, broken);
        broken_path = fx.dir() / kFullBroken;
        auto r = fleetfuel(fx, "import --changes --apply --json");
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        REQUIRE(contains(r.out, "\"files_applied\":1"));
        REQUIRE(contains(r.out, "\"files_quarantined\":1"));
        REQUIRE(contains(r.out, "\"rejected\":1"));
    }

    // Puts the fixed content back without changing the ETag the engine sees.
    void fix_in_place() {
        const auto mtime = std::filesystem::last_write_time(broken_path);
        std::ofstream(broken_path, std::ios::binary | std::ios::trunc) << fixed_body;
        std::filesystem::last_write_time(broken_path, mtime);
    }

    std::string ledger() {
        return fx.pg().scalar(
            "SELECT string_agg(key || '|' || etag || '|' || status || '|' || processed_at::text "
            "|| '|' || coalesce(reason, ''), ';' ORDER BY key) FROM fuel.change_files");
    }
    std::string watermark() {
        return fx.pg().scalar(
            "SELECT coalesce(watermark, '(null)') FROM fuel.ingest_state WHERE stream = "
            "'changes'");
    }
    std::string has_900() {
        return fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE id = 900");
    }
};

}  // namespace

TEST_CASE("fleetfuel rejects lists the quarantined file and the rejected row, as text and JSON",
          "[integration]") {
    Quarantined q;

    auto text = fleetfuel(q.fx, "rejects");
    INFO(text.out << text.err);
    REQUIRE(text.exit_code == 0);
    CHECK(contains(text.out, "Quarantined change files: 1"));
    CHECK(contains(text.out, kFullBroken));
    CHECK(contains(text.out, "  row  " + kFullRows));
    CHECK(contains(text.out, "  file  " + kFullBroken));

    auto json = fleetfuel(q.fx, "rejects --json");
    REQUIRE(json.exit_code == 0);
    rapidjson::Document doc;
    doc.Parse(json.out.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc["quarantined"].Size() == 1);
    CHECK(std::string(doc["quarantined"][0]["key"].GetString()) == kFullBroken);
    CHECK(std::string(doc["quarantined"][0]["etag"].GetString()) != "");
    CHECK(doc["quarantined"][0]["reason"].IsString());
    REQUIRE(doc["rejects"].Size() == 2);
    int rows = 0, files = 0;
    for (const auto& r : doc["rejects"].GetArray()) {
        const std::string kind = r["kind"].GetString();
        const std::string key = r["object_key"].GetString();
        if (kind == "row" && key == kFullRows) ++rows;
        if (kind == "file" && key == kFullBroken) ++files;
        CHECK(std::string(r["stream"].GetString()) == "changes");
    }
    CHECK(rows == 1);
    CHECK(files == 1);

    auto limited = fleetfuel(q.fx, "rejects --json --limit 1");
    REQUIRE(limited.exit_code == 0);
    rapidjson::Document one;
    one.Parse(limited.out.c_str());
    REQUIRE_FALSE(one.HasParseError());
    CHECK(one["rejects"].Size() == 1);
    CHECK(one["quarantined"].Size() == 1);

    CHECK(fleetfuel(q.fx, "rejects --limit many").exit_code == 2);
    CHECK(fleetfuel(q.fx, "rejects --bogus").exit_code == 2);
}

TEST_CASE(
    "fleetfuel requeue is a dry run without --apply, and with --apply the next import retries the "
    "file",
    "[integration]") {
    Quarantined q;
    q.fix_in_place();

    // Same ETag: the engine does not retry it on its own.
    auto skipped = fleetfuel(q.fx, "import --changes --apply --json");
    REQUIRE(skipped.exit_code == 0);
    CHECK(contains(skipped.out, "\"files_applied\":0"));
    CHECK(q.has_900() == "0");

    const std::string before = q.ledger();
    auto dry = fleetfuel(q.fx, "requeue " + q.broken_path.filename().string());
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(contains(dry.out, "would requeue " + kFullBroken));
    CHECK(q.ledger() == before);
    auto still = fleetfuel(q.fx, "import --changes --apply --json");
    CHECK(contains(still.out, "\"files_applied\":0"));
    CHECK(q.has_900() == "0");

    auto applied = fleetfuel(q.fx, "requeue " + kBrokenKey + " --apply");
    INFO(applied.out << applied.err);
    REQUIRE(applied.exit_code == 0);
    CHECK(contains(applied.out, "requeued " + kFullBroken));
    CHECK(q.ledger() != before);

    auto retried = fleetfuel(q.fx, "import --changes --apply --json");
    INFO(retried.err);
    REQUIRE(retried.exit_code == 0);
    CHECK(contains(retried.out, "\"files_applied\":1"));
    CHECK(q.has_900() == "1");
    CHECK(q.fx.pg().scalar("SELECT status FROM fuel.change_files WHERE key = $1", {kFullBroken}) ==
          "applied");
    auto listed = fleetfuel(q.fx, "rejects");
    CHECK(contains(listed.out, "Quarantined change files: 0"));

    // Applied now: requeue refuses, so a file is never applied twice.
    auto again = fleetfuel(q.fx, "requeue " + kFullBroken + " --apply");
    CHECK(again.exit_code == 1);
    CHECK(contains(again.err, "applied"));
}

TEST_CASE("fleetfuel requeue of an unknown key fails with a clear error and changes nothing",
          "[integration]") {
    Quarantined q;
    const std::string before = q.ledger();
    for (const char* apply : {"", " --apply"}) {
        auto r = fleetfuel(q.fx, std::string("requeue changes/no-such-file.json") + apply);
        INFO(r.err);
        CHECK(r.exit_code == 1);
        CHECK(contains(r.err, "changes/no-such-file.json is not in the change-file ledger"));
    }
    CHECK(q.ledger() == before);
    CHECK(fleetfuel(q.fx, "requeue").exit_code == 2);
    CHECK(fleetfuel(q.fx, "requeue a.json b.json").exit_code == 2);
}

TEST_CASE("fleetfuel reset-watermark shows the change as a dry run and makes it with --apply",
          "[integration]") {
    Quarantined q;
    REQUIRE(q.watermark() == kFullBroken);

    auto dry = fleetfuel(q.fx, "reset-watermark --to " + kFullRows);
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(contains(dry.out, kFullBroken + " -> " + kFullRows));
    CHECK(contains(dry.out, "dry run"));
    CHECK(q.watermark() == kFullBroken);

    auto applied = fleetfuel(q.fx, "reset-watermark --to " + kFullRows + " --apply");
    REQUIRE(applied.exit_code == 0);
    CHECK(q.watermark() == kFullRows);

    // A key relative to the prefix names the same change file.
    auto relative = fleetfuel(q.fx, "reset-watermark --to " + kBrokenKey + " --apply");
    INFO(relative.out << relative.err);
    REQUIRE(relative.exit_code == 0);
    CHECK(q.watermark() == kFullBroken);

    auto cleared = fleetfuel(q.fx, "reset-watermark --apply");
    REQUIRE(cleared.exit_code == 0);
    CHECK(q.watermark() == "(null)");

    CHECK(fleetfuel(q.fx, "reset-watermark --to").exit_code == 2);
}

TEST_CASE(
    "fleetfuel requeue and reset-watermark exit 4 without writing while the writer lock is held",
    "[integration]") {
    Quarantined q;
    const std::string ledger = q.ledger();
    const std::string watermark = q.watermark();
    PgSession holder(q.fx.url());
    holder.exec("SELECT pg_advisory_lock(" + std::to_string(ff::db::kWriterLockKey) + ")");

    CHECK(fleetfuel(q.fx, "requeue " + kBrokenKey + " --apply", "WRITER_LOCK_WAIT=1s").exit_code ==
          4);
    auto reset = fleetfuel(q.fx, "reset-watermark --apply", "WRITER_LOCK_WAIT=1s");
    CHECK(reset.exit_code == 4);
    CHECK(contains(reset.err, "writer lock"));
    CHECK(q.ledger() == ledger);
    CHECK(q.watermark() == watermark);

    // Reading and dry runs do not need the lock.
    CHECK(fleetfuel(q.fx, "rejects", "WRITER_LOCK_WAIT=1s").exit_code == 0);
    CHECK(fleetfuel(q.fx, "requeue " + kBrokenKey, "WRITER_LOCK_WAIT=1s").exit_code == 0);
    CHECK(fleetfuel(q.fx, "reset-watermark", "WRITER_LOCK_WAIT=1s").exit_code == 0);

    holder.exec("SELECT pg_advisory_unlock_all()");
    CHECK(fleetfuel(q.fx, "requeue " + kBrokenKey + " --apply", "WRITER_LOCK_WAIT=1s").exit_code ==
          0);
}

TEST_CASE(
    "fleetfuel reset-watermark moves where the next poll lists from, also while recent files "
    "were processed",
    "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(8);
    auto put = [&](const std::string& time, long long id) {
        const Ts at = kBaseTime + 86400 + id;
        fx.put("changes/2026-06-02T" + time + "Z.json",
               gen.change_file({GenChange{"insert", id, at, gen.row(id, at)}}));
    };
    auto stored = [&](long long id) {
        return fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE id = $1",
                              {std::to_string(id)}) == "1";
    };
    const std::string a = "fuel_records/changes/2026-06-02T00:10:00Z.json";
    const std::string b = "fuel_records/changes/2026-06-02T00:20:00Z.json";
    const std::string d = "fuel_records/changes/2026-06-02T00:40:00Z.json";
    put("00:10:00", 951);
    put("00:20:00", 952);
    put("00:30:00", 953);
    put("00:40:00", 954);
    REQUIRE(fx.changes().counts.files_applied == 4);
    // The oldest was processed long ago, the others just now.
    fx.pg().exec(
        "UPDATE fuel.change_files SET processed_at = now() - interval '3 days' "
        "WHERE key = '" +
        a + "'");

    fx.options.listing = ff::ingest::Listing::recent;
    fx.options.listing_overlap = 1;
    put("00:15:00", 955);  // late, below where polls list from
    CHECK(fx.changes().counts.files_applied == 0);
    CHECK_FALSE(stored(955));

    // With the default overlap of 100 the poll would list every key; the message says so.
    auto reset = fleetfuel(fx, "reset-watermark --to " + b + " --apply");
    INFO(reset.out << reset.err);
    REQUIRE(reset.exit_code == 0);
    CHECK(contains(reset.out, d + " -> " + b + "; the next poll lists after (the first key)"));

    auto poll = fx.changes();  // overlap 1: lists after a, the file before b
    CHECK(poll.listing_start == a);
    CHECK(poll.counts.files_applied == 1);
    CHECK(stored(955));
    CHECK(fx.pg().scalar("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'") ==
          d);  // that poll saw the newest file again: the watermark is back up

    CHECK(fleetfuel(fx, "reset-watermark --to changes/manual.txt --apply").exit_code == 2);
}

TEST_CASE(
    "fleetfuel verify exits 0 when everything agrees and 1 with the differences, read-only and "
    "without the writer lock",
    "[integration]") {
    Quarantined q;
    auto ok = fleetfuel(q.fx, "verify");
    INFO(ok.out << ok.err);
    REQUIRE(ok.exit_code == 0);
    CHECK(contains(ok.out, "rules: the database's normalisation rules " +
                               ff::db::to_string(ff::db::build_rules())));
    CHECK(contains(ok.out, "typed_columns: 1 rows; every typed column equals fuel.normalise(raw)"));
    CHECK(contains(ok.out,
                   "change_files: 2 change files under fuel_records/changes/: 2 in the "
                   "ledger, 0 pending, 0 missing"));
    CHECK(contains(ok.out, "watermark: " + kFullBroken));
    CHECK(contains(ok.out, "verify: everything agrees"));

    // Beside a daemon: the writer lock is held elsewhere, and verify writes nothing.
    PgSession holder(q.fx.url());
    holder.exec("SELECT pg_advisory_lock(" + std::to_string(ff::db::kWriterLockKey) + ")");
    const std::string writes =
        "SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::text FROM pg_stat_user_tables "
        "WHERE schemaname = 'fuel'";
    q.fx.pg().exec("SELECT pg_stat_clear_snapshot()");
    const std::string before = q.fx.pg().scalar(writes);
    auto locked = fleetfuel(q.fx, "verify --json", "WRITER_LOCK_WAIT=1s");
    REQUIRE(locked.exit_code == 0);
    rapidjson::Document doc;
    doc.Parse(locked.out.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    CHECK(doc["ok"].GetBool());
    REQUIRE(doc["checks"].Size() == 4);
    CHECK(std::string(doc["checks"][0]["check"].GetString()) == "rules");
    CHECK(std::string(doc["checks"][0]["order"].GetString()) == "same");
    CHECK(std::string(doc["checks"][1]["check"].GetString()) == "typed_columns");
    CHECK(doc["checks"][1]["rows"].GetInt() == 1);
    CHECK(std::string(doc["checks"][3]["watermark"].GetString()) == kFullBroken);
    q.fx.pg().exec("SELECT pg_stat_clear_snapshot()");
    CHECK(q.fx.pg().scalar(writes) == before);
    holder.exec("SELECT pg_advisory_unlock_all()");

    q.fx.pg().exec(
        "BEGIN; SET LOCAL fuel.normalised_by_ingest = on; "
        "UPDATE fuel.records SET vehicle_reg = 'NOPE1' WHERE id = 801; COMMIT");
    auto bad = fleetfuel(q.fx, "verify");
    CHECK(bad.exit_code == 1);
    CHECK(contains(bad.out, "  801  vehicle_reg: stored \"NOPE1\", expected \""));
    CHECK(contains(bad.out, "verify: differences found"));
    auto bad_json = fleetfuel(q.fx, "verify --json --limit 1");
    CHECK(bad_json.exit_code == 1);
    CHECK(contains(bad_json.out, "{\"id\":801,\"column\":\"vehicle_reg\",\"stored\":\"NOPE1\""));

    CHECK(fleetfuel(q.fx, "verify --limit 0").exit_code == 2);
    CHECK(fleetfuel(q.fx, "verify --bogus").exit_code == 2);
}
