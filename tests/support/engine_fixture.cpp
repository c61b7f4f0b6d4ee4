// Test fixture for the ingest engine: migrated scratch database, connection, seeded object store.
#include "support/engine_fixture.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>

#include "db/migrate.hpp"
#include "s3/local_store.hpp"
#include "support/test_env.hpp"

namespace fftest {

void run_on(boost::asio::io_context& io, boost::asio::awaitable<void> task) {
    std::exception_ptr error;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) { error = e; });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
}

void migrate_database(const std::string& url) {
    boost::asio::io_context io;
    ff::db::Connection conn(io.get_executor());
    ff::db::ConnectOptions connect;
    connect.conninfo = url;
    run_on(io, conn.connect(connect));
    const ff::db::MigrateOptions migrate;
    run_on(io, ff::db::migrate(conn, migrate));
}

EngineFixture::EngineFixture(StoreKind kind, int list_page_size) : kind_(kind) {
    migrate_database(db_.url());
    pg_ = std::make_unique<PgSession>(db_.url());
    conn_ = std::make_unique<ff::db::Connection>(io_.get_executor());
    ff::db::ConnectOptions connect;
    connect.conninfo = db_.url();
    run_on(io_, conn_->connect(connect));
    options.prefix = "fuel_records/";
    options.batch_rows = 7;  // small batches, so every test crosses batch boundaries
    if (kind_ == StoreKind::local) {
        dir_ = std::filesystem::temp_directory_path() / unique_name("ff_engine_");
        std::filesystem::create_directories(dir_);
        local_ = ff::s3::make_local_store(dir_);
        store_ = local_.get();
    } else {
        bucket_ = unique_name("engine-");
        std::replace(bucket_.begin(), bucket_.end(), '_', '-');
        ff::s3::S3Options o;
        o.endpoint = s3_endpoint();
        o.access_key = s3_access_key();
        o.secret_key = s3_secret_key();
        o.bucket = bucket_;
        o.list_page_size = list_page_size;
        s3_ = ff::s3::make_s3_client(io_.get_executor(), o,
                                     [this](std::string_view op, std::string_view, double) {
                                         if (op == "list") ++list_requests_;
                                     });
        run_on(io_, s3_->create_bucket());
        store_ = s3_.get();
    }
}

EngineFixture::~EngineFixture() {
    if (conn_) conn_->close();
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

void EngineFixture::put(const std::string& key, const std::string& body) {
    const std::string full = options.prefix + key;
    if (kind_ == StoreKind::local) {
        auto path = dir_ / full;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary | std::ios::trunc) << body;
    } else {
        run_on(io_, s3_->put_object(full, body));
    }
}

void EngineFixture::set_last_modified(const std::string& key, Ts at) {
    REQUIRE(kind_ == StoreKind::local);
    const auto sys = std::chrono::system_clock::time_point(std::chrono::seconds(at));
    std::filesystem::last_write_time(dir_ / (options.prefix + key),
                                     std::chrono::file_clock::from_sys(sys));
}

ff::ingest::SnapshotResult EngineFixture::snapshot(bool apply, bool force) {
    auto o = options;
    o.dry_run = !apply;
    o.force = force;
    return run_on(io_, ff::ingest::run_snapshot(*conn_, *store_, o));
}

ff::ingest::ChangesResult EngineFixture::changes(bool apply) {
    auto o = options;
    o.dry_run = !apply;
    return run_on(io_, ff::ingest::run_changes(*conn_, *store_, o));
}

void EngineFixture::expect_state(const ReferenceModel& model) {
    auto rows = pg_->query(
        "SELECT id, coalesce(extract(epoch FROM deleted_at)::bigint::text, 'live'), "
        "coalesce(deleted_reason, ''), raw::text FROM fuel.records ORDER BY id");
    REQUIRE(rows.size() == model.rows().size());
    auto it = model.rows().begin();
    for (const auto& row : rows) {
        const auto& [id, expected] = *it++;
        INFO("id " << id << " expected raw " << expected.raw << " stored " << *row[3]);
        REQUIRE(std::stoll(*row[0]) == id);
        CHECK(*row[1] == (expected.deleted_at ? std::to_string(*expected.deleted_at) : "live"));
        CHECK(*row[2] == expected.deleted_reason);
        CHECK(pg_->scalar("SELECT (raw = $2::jsonb)::text FROM fuel.records WHERE id = $1",
                          {std::to_string(id), expected.raw}) == "true");
    }
    expect_verified();
}

namespace {

std::string epoch_text(std::optional<Ts> t) {
    if (!t) return "none";
    return *t == kNegInf ? "oldest" : std::to_string(*t);
}

}  // namespace

void EngineFixture::expect_versions(const ReferenceModel& model, bool change_batch_at) {
    auto rows = pg_->query(
        "SELECT id, CASE WHEN version = '-infinity' THEN 'oldest' "
        "                ELSE extract(epoch FROM version)::bigint::text END, "
        "       coalesce(extract(epoch FROM change_batch_at)::bigint::text, 'none') "
        "FROM fuel.records ORDER BY id");
    REQUIRE(rows.size() == model.rows().size());
    auto it = model.rows().begin();
    for (const auto& row : rows) {
        const auto& [id, expected] = *it++;
        INFO("id " << id);
        REQUIRE(std::stoll(*row[0]) == id);
        CHECK(*row[1] == epoch_text(expected.version));
        if (change_batch_at) CHECK(*row[2] == epoch_text(expected.change_batch_at));
    }
}

std::string EngineFixture::dump_records() {
    return pg_->scalar(
        "SELECT coalesce(string_agg((to_jsonb(r) - 'first_seen_at' - 'last_changed_at')::text, "
        "E'\n' ORDER BY r.id), '') FROM fuel.records r");
}

ff::ingest::VerifyResult EngineFixture::verify(ff::ingest::VerifyOptions o) {
    o.prefix = options.prefix;
    o.listing_overlap = options.listing_overlap;
    return run_on(io_, ff::ingest::verify(*conn_, store_, o));
}

void EngineFixture::expect_verified() {
    const auto result = verify();
    for (const auto& check : result.checks) {
        for (const auto& d : check.differences) {
            FAIL_CHECK("verify: " << check.name << ": " << d.id << " " << d.column << ": stored "
                                  << d.stored.value_or("(none)") << ", expected "
                                  << d.expected.value_or("(none)"));
        }
        CHECK(check.differing == static_cast<long long>(check.differences.size()));
    }
}

}  // namespace fftest

namespace fftest {

Scenario make_scenario(std::uint32_t seed) {
    ExportGenerator gen(seed);
    Scenario s;
    const Ts base = kBaseTime;
    s.e1 = base + 86400;
    const Ts m = 60;
    auto upd = [&](long long id) -> std::optional<Ts> {
        if (id >= 40 && id <= 42) return std::nullopt;  // no updated_at: the oldest version
        return base + id * m;
    };
    for (long long id = 1; id <= 60; ++id) {
        std::optional<Ts> del;
        if (id % 10 == 7) del = base + id * m + 30;
        if (id == 5) s.snap1.push_back(gen.row(id, base));  // an earlier duplicate of id 5
        s.snap1.push_back(gen.row(id, upd(id), del));
    }
    s.snap1_body = gen.snapshot_object(s.snap1, s.e1);

    std::map<long long, GenRow> source;  // the source table as it evolves
    for (const auto& r : s.snap1) source[r.id] = r;
    auto change = [&](const char* op, long long id, Ts at, std::optional<GenRow> row) {
        return GenChange{gen.mixed_case(op), id, at, std::move(row)};
    };

    // f0: a few early updates.
    ChangeFileSpec f0{"changes/2026-06-02T00:05:00Z.json", s.e1 + 5 * m, {}, {}};
    for (long long id : {21, 22}) {
        source[id] = gen.row(id, s.e1 + 5 * m);
        f0.changes.push_back(change("update", id, s.e1 + 5 * m, source[id]));
    }
    // f1: inserts, updates, deletes (one of an id never seen), an id changed twice.
    const Ts t1 = s.e1 + 10 * m;
    ChangeFileSpec f1{"changes/2026-06-02T00:10:00Z.json", t1, {}, {}};
    for (long long id = 61; id <= 70; ++id) {
        source[id] = gen.row(id, t1);
        f1.changes.push_back(change("insert", id, t1, source[id]));
    }
    for (long long id = 1; id <= 10; ++id) {
        source[id] = gen.row(id, t1);
        f1.changes.push_back(change("update", id, t1, source[id]));
    }
    for (long long id : {11, 12, 500}) f1.changes.push_back(change("delete", id, t1, std::nullopt));
    source[61] = gen.row(61, t1 + 1);
    f1.changes.push_back(change("upsert", 61, t1 + 1, source[61]));
    // f2 (bare array): a stale update, a source soft delete, a delete, an older insert of the
    // tombstoned id, an update with no changed_at, an undelete of a source-deleted row.
    const Ts t2 = s.e1 + 20 * m;
    // Its change without changed_at takes the object's Last-Modified, which is "now": any time
    // after snapshot 2 gives the same result, so the model uses a far later one.
    ChangeFileSpec f2{"changes/2026-06-02T00:20:00Z.json", base + 365 * 86400, {}, {}};
    f2.changes.push_back(change("update", 20, t2, gen.row(20, base)));
    source[13] = gen.row(13, t2, t2 - 5);
    f2.changes.push_back(change("upsert", 13, t2, source[13]));
    f2.changes.push_back(change("delete", 1, t2, std::nullopt));
    f2.changes.push_back(change("insert", 500, t2, gen.row(500, s.e1 - 3600)));
    source[14] = gen.row(14, t2);
    f2.changes.push_back(GenChange{"update", 14, std::nullopt, source[14]});
    source[17] = gen.row(17, t2);
    f2.changes.push_back(change("update", 17, t2, source[17]));
    // f3: after snapshot 2's exported_at.
    const Ts t3 = s.e1 + 30 * m;
    ChangeFileSpec f3{"changes/2026-06-02T00:30:00Z.json", t3, {}, {}};
    const GenRow id2_before_f3 = source[2];
    f3.changes.push_back(change("update", 2, t3, gen.row(2, t3)));
    f3.changes.push_back(change("delete", 61, t3, std::nullopt));
    f3.changes.push_back(change("insert", 71, t3, gen.row(71, t3)));

    // Snapshot 2 at e2 (between f2 and f3): the source then, minus two hard-deleted rows, with
    // id 3 exported from an older replica (stale), id 40 edited without updated_at, id 65 newer.
    s.e2 = s.e1 + 25 * m;
    source[2] = id2_before_f3;
    source[3] = gen.row(3, base + 3 * m);
    source[40] = gen.row(40, std::nullopt);
    source[65] = gen.row(65, s.e1 + 24 * m);
    source.erase(30);
    source.erase(31);
    for (long long id : {11, 12}) source.erase(id);  // deleted by op: the exporter omits them
    for (const auto& [id, row] : source) s.snap2.push_back(row);
    s.snap2_body = gen.snapshot_object(s.snap2, s.e2);

    f0.body = gen.change_file(f0.changes);
    f1.body = gen.change_file(f1.changes);
    f2.body = gen.change_file(f2.changes, true);
    f3.body = gen.change_file(f3.changes);
    s.files = {f0, f1, f2, f3};
    return s;
}

}  // namespace fftest
