// Awkward deliveries and hostile text through `fleetfuel import`: late, duplicate and re-uploaded
// change files, a snapshot older than applied changes, and keys and values full of quotes,
// backslashes, \u0000 escapes, SQL and Unicode ending as exact raw jsonb, nothing else touched.
#include <catch2/catch.hpp>

#include "faults_support.hpp"
#include "support/engine_fixture.hpp"
#include "support/test_env.hpp"

using namespace fftest;

namespace {

Env local_env(EngineFixture& fx) {
    Env env = db_env(fx.url());
    env["FUEL_SOURCE_DIR"] = fx.dir().string();
    return env;
}

Env s3_env(EngineFixture& fx) {
    Env env = db_env(fx.url());
    env["RUSTFS_ENDPOINT"] = s3_endpoint();
    env["RUSTFS_ACCESS_KEY"] = s3_access_key();
    env["RUSTFS_SECRET_KEY"] = s3_secret_key();
    env["FUEL_BUCKET"] = fx.bucket();
    return env;
}

Proc import(const Env& env, std::vector<std::string> args) {
    args.insert(args.begin(), "import");
    args.push_back("--apply");
    return run_fleetfuel(env, args);
}

}  // namespace

TEST_CASE("Late, duplicate and re-uploaded change files and an older snapshot converge exactly",
          "[integration][faults]") {
    EngineFixture fx;
    const Scenario s = make_scenario(4401);
    const Env env = local_env(fx);
    ReferenceModel model;
    int runs = 0;

    fx.put("latest.json", s.snap1_body);
    CHECK(import(env, {"--snapshot"}).exit_code == 0);
    model.apply_snapshot(s.snap1, s.e1);
    // f0 and f3 first; f1 and f2 land late with keys before the watermark.
    for (int i : {0, 3}) {
        fx.put(s.files[i].key, s.files[i].body);
        model.apply_changes(s.files[i].changes, s.files[i].file_time);
    }
    CHECK(import(env, {"--changes"}).exit_code == 0);
    for (int i : {1, 2}) {
        fx.put(s.files[i].key, s.files[i].body);
        model.apply_changes(s.files[i].changes, s.files[i].file_time);
    }
    CHECK(import(env, {"--changes"}).exit_code == 0);
    runs += 3;
    Tally total = expect_exact(fx.pg(), model, "late files");

    // The same content again under a new key (an exporter retry): a replay changes nothing.
    fx.put("changes/2026-06-02T00:40:00Z.json", s.files[1].body);
    model.apply_changes(s.files[1].changes, s.files[1].file_time);
    CHECK(import(env, {"--changes"}).exit_code == 0);
    // An applied file uploaded again with other content: reported, not applied.
    fx.put(s.files[0].key, s.files[2].body);
    auto reupload = import(env, {"--changes"});
    CHECK(reupload.exit_code == 0);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'") == "5");
    runs += 2;
    total += expect_exact(fx.pg(), model, "duplicate and re-uploaded files");

    // Snapshot 2, then snapshot 1 again: older than what is applied, refused (exit 3), unchanged.
    fx.put("latest.json", s.snap2_body);
    CHECK(import(env, {"--snapshot"}).exit_code == 0);
    model.apply_snapshot(s.snap2, s.e2);
    fx.put("latest.json", s.snap1_body);
    auto older = import(env, {"--snapshot"});
    CHECK(older.exit_code == 3);
    runs += 2;
    total += expect_exact(fx.pg(), model, "older snapshot refused");
    record_result("late, duplicate, re-uploaded change files; older snapshot refused", runs, total);
}

namespace {

// Hostile text: SQL, quotes, backslashes, control characters, \u0000 escapes, Unicode.
const std::vector<std::string> kHostile = {
    R"('; DROP TABLE fuel.records; --)",
    R"(Robert'); DELETE FROM fuel.change_files WHERE ('1'='1)",
    R"(O'Brien \"quoted\" back\\slash \\\\ double)",
    R"(tab\t newline\n cr\r bell\u0007 esc\u001b)",
    R"(nul\u0000inside and \u0000 again)",
    R"($$ dollar $x$ quoting $$; COPY fuel.records TO PROGRAM 'id')",
    R"(\\N \\. \\\\N copy markers)",
    R"(Ñairobi ☕ 𝄞 العربية 中文 \u202e reversed \ud83d\ude00)",
    R"(%s %n {} {0} ${HOME} `id`)",
};

// The JSON text of a hostile row, and what raw must hold: the same without its \u0000 escapes.
std::pair<std::string, std::string> hostile_row(long long id, std::size_t variant) {
    const std::string v = kHostile[variant % kHostile.size()];
    const std::string w = kHostile[(variant + 3) % kHostile.size()];
    const std::string body =
        "{\"id\":" + std::to_string(id) + ",\"updated_at\":\"2026-06-02T10:00:00Z\",\"notes\":\"" +
        v + "\",\"driver_name\":\"" + w + "\",\"station\":\"" + v + "\",\"vehicle_reg\":\"KDA 1" +
        std::to_string(id % 10) + "A'--\",\"litres\":\"" + w + "\",\"" + v + "\":\"" + w + "\"}";
    std::string expected = body;
    for (std::size_t p; (p = expected.find("\\u0000")) != std::string::npos;) expected.erase(p, 6);
    return {body, expected};
}

void run_hostile(StoreKind kind) {
    EngineFixture fx(kind);
    const Env env = kind == StoreKind::s3 ? s3_env(fx) : local_env(fx);
    // By name: a first load drops and re-creates the secondary indexes, which gives them new oids.
    fx.pg().exec("CREATE TABLE public.sentinel (v text); INSERT INTO sentinel VALUES ('intact')");
    const std::string tables_before = fx.pg().scalar(
        "SELECT string_agg(oid::regclass::text, ',' ORDER BY oid::regclass::text) FROM pg_class "
        "WHERE relnamespace IN ('fuel'::regnamespace, 'public'::regnamespace)");

    ReferenceModel model;
    std::vector<GenRow> snap, snap_expected;
    for (long long id = 1; id <= 20; ++id) {
        auto [body, expected] = hostile_row(id, id);
        snap.push_back({id, body, kBaseTime, {}});
        snap_expected.push_back({id, expected, kBaseTime, {}});
    }
    ExportGenerator gen(1);
    fx.put("latest.json", gen.snapshot_object(snap, kBaseTime + 86400));
    model.apply_snapshot(snap_expected, kBaseTime + 86400);

    // Change-file keys with quotes, SQL, spaces, + = : and Unicode. The test server (s3rver
    // 4.0.4) escapes ' & < > twice in its listings, so those go through the local store only.
    std::vector<std::string> keys = {
        "changes/2026-06-02T10:00:00Z \"; DROP TABLE fuel.records; --.json",
        "changes/2026-06-02T10:01:00Z \"q\" a+b=c.json",
        "changes/2026-06-02T10:02:00Z Ñairobi ☕ 𝄞.json",
        "changes/2026-06-02T10:03:00Z $$ %s %00 %2F.json",
    };
    if (kind == StoreKind::local) {
        keys.push_back("changes/2026-06-02T10:04:00Z '; DROP TABLE fuel.records; --.json");
        keys.push_back("changes/2026-06-02T10:05:00Z back\\slash <&> it's.json");
    }
    const Ts at = kBaseTime + 2 * 86400;
    for (std::size_t f = 0; f < keys.size(); ++f) {
        std::vector<GenChange> sent, expected;
        for (long long id = 1 + static_cast<long long>(f) * 7; id <= 30; id += 5) {
            auto [body, exp] = hostile_row(id, id + f);
            sent.push_back({"upsert", id, at + static_cast<Ts>(f), GenRow{id, body, at + f, {}}});
            expected.push_back(
                {"upsert", id, at + static_cast<Ts>(f), GenRow{id, exp, at + f, {}}});
        }
        sent.push_back({"delete", 2 + static_cast<long long>(f), at + static_cast<Ts>(f), {}});
        expected.push_back(sent.back());
        fx.put(keys[f], gen.change_file(sent));
        model.apply_changes(expected, at);
    }

    auto snap_run = import(env, {"--snapshot"});
    INFO(snap_run.err);
    CHECK(snap_run.exit_code == 0);
    auto chg_run = import(env, {"--changes"});
    INFO(chg_run.err);
    CHECK(chg_run.exit_code == 0);

    const Tally t = expect_exact(fx.pg(), model, "hostile keys and values");
    auto stored = fx.pg().query("SELECT key, status FROM fuel.change_files ORDER BY key");
    REQUIRE(stored.size() == keys.size());
    std::vector<std::string> sorted_keys = keys;
    std::sort(sorted_keys.begin(), sorted_keys.end());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        CHECK(*stored[i][0] == "fuel_records/" + sorted_keys[i]);
        CHECK(*stored[i][1] == "applied");
    }
    // Hostile rows are flagged sanitised where a \u0000 was dropped, and nothing else changed.
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE sanitised") != "0");
    CHECK(fx.pg().scalar("SELECT v FROM public.sentinel") == "intact");
    CHECK(fx.pg().scalar("SELECT string_agg(oid::regclass::text, ',' ORDER BY oid::regclass::text) "
                         "FROM pg_class "
                         "WHERE relnamespace IN ('fuel'::regnamespace, 'public'::regnamespace)") ==
          tables_before);
    record_result(std::string("hostile keys and values via ") +
                      (kind == StoreKind::s3 ? "s3rver" : "--source-dir"),
                  2, t);
}

}  // namespace

TEST_CASE("Keys and values full of quotes, SQL, U+0000 and Unicode end as exact raw jsonb locally",
          "[integration][faults]") {
    run_hostile(StoreKind::local);
}

TEST_CASE("Keys and values full of quotes, SQL, U+0000 and Unicode end as exact raw jsonb via S3",
          "[integration][faults]") {
    run_hostile(StoreKind::s3);
}
