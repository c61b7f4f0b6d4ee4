// A first load must not queue the dashboard behind it: the secondary indexes are
// dropped in a short transaction of their own, only when no reader holds fuel.records, and built
// at the end of the load under a lock readers do not wait for. A reader started during the load
// answers at once; a reader holding a transaction open neither blocks nor breaks the load.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "support/engine_fixture.hpp"

using namespace fftest;
using ff::ingest::Refusal;
using Clock = std::chrono::steady_clock;

namespace {

constexpr Ts kE1 = kBaseTime + 86400;

// fx.snapshot() on a thread of its own (the fixture's connection is used by nothing else
// meanwhile); joined when it goes out of scope, so a failing check never leaves it running.
class Loader {
  public:
    explicit Loader(EngineFixture& fx)
        : thread_([this, &fx] {
              try {
                  result_ = fx.snapshot();
              } catch (...) {
                  error_ = std::current_exception();
              }
              done_ = true;
          }) {}
    ~Loader() { thread_.join(); }
    Loader(const Loader&) = delete;
    Loader& operator=(const Loader&) = delete;

    bool done() const { return done_; }
    bool wait_for(std::chrono::seconds limit) const {
        for (const auto until = Clock::now() + limit; !done_ && Clock::now() < until;)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return done_;
    }
    ff::ingest::SnapshotResult result() {
        thread_.join();
        thread_ = std::thread([] {});
        if (error_) std::rethrow_exception(error_);
        return result_;
    }

  private:
    std::atomic<bool> done_{false};
    ff::ingest::SnapshotResult result_;
    std::exception_ptr error_;
    std::thread thread_;
};

void put_first_snapshot(EngineFixture& fx, long long rows, std::uint32_t seed) {
    ExportGenerator gen(seed);
    std::vector<GenRow> all;
    all.reserve(static_cast<std::size_t>(rows));
    for (long long id = 1; id <= rows; ++id) all.push_back(gen.row(id, kBaseTime + id));
    fx.put("latest.json", gen.snapshot_object(all, kE1));
}

// The secondary indexes fuel.records has, as pg_get_indexdef writes them.
std::string secondary_indexes(PgSession& pg) {
    return pg.scalar(
        "SELECT coalesce(string_agg(pg_get_indexdef(indexrelid), E'\\n' "
        "ORDER BY pg_get_indexdef(indexrelid)), '') "
        "FROM pg_index WHERE indrelid = 'fuel.records'::regclass AND NOT indisunique");
}

struct Answer {
    bool ok = false;
    std::string value;  // or the error
    double seconds = 0;
};

// One query on a session of its own, timed; an error is an answer too (no test failure here).
Answer timed(PgSession& session, const std::string& sql) {
    const auto start = Clock::now();
    PGresult* res = PQexec(session.raw(), sql.c_str());
    Answer a;
    a.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    a.ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    a.value = a.ok ? PQgetvalue(res, 0, 0) : PQresultErrorMessage(res);
    PQclear(res);
    return a;
}

}  // namespace

TEST_CASE(
    "fuel.ingest_secondary_indexes names the indexes the migrations create, and every "
    "first load, applied or not, leaves them as they were",
    "[integration]") {
    EngineFixture fx;
    const std::string migrated = secondary_indexes(fx.pg());
    CHECK(migrated == fx.pg().scalar("SELECT string_agg(definition, E'\\n' ORDER BY definition) "
                                     "FROM fuel.ingest_secondary_indexes()"));
    CHECK(migrated.find("records_live_vehicle") != std::string::npos);

    fx.put("latest.json", R"({"rows":[{"id":1},{"id":2})");  // cut off: rejected whole
    CHECK(fx.snapshot().file_error);
    CHECK(secondary_indexes(fx.pg()) == migrated);
    put_first_snapshot(fx, 20, 1);
    CHECK(fx.snapshot(false).counts.inserted == 20);  // a dry run
    CHECK(secondary_indexes(fx.pg()) == migrated);
    CHECK(fx.snapshot().counts.inserted == 20);
    CHECK(secondary_indexes(fx.pg()) == migrated);
    CHECK(fx.pg().scalar("SELECT count(*) FROM pg_index WHERE indrelid = "
                         "'fuel.records'::regclass AND NOT (indisvalid AND indisready)") == "0");

    // Left without them by a crash between the drop and the load's commit: the next apply
    // builds them again.
    fx.pg().exec("DROP INDEX fuel.records_live_fill_date");
    put_first_snapshot(fx, 25, 2);
    CHECK(fx.snapshot().counts.inserted == 5);
    CHECK(secondary_indexes(fx.pg()) == migrated);
}

TEST_CASE("A dashboard query started during a first load of 100 000 rows answers at once",
          "[integration]") {
    EngineFixture fx;
    fx.options.batch_rows = 5000;  // the daemon's batches, not the fixture's tiny ones
    put_first_snapshot(fx, 100000, 51);
    const std::string migrated = secondary_indexes(fx.pg());

    // `holder` keeps the load's transaction open once its rows are in and its indexes built: the
    // load then waits to record the snapshot in fuel.ingest_state, still holding every lock it
    // took on fuel.records. So the load is still running when the reader asks, whether the
    // reader asks while the rows go in or after, whatever the machine's speed.
    PgSession holder(fx.url());
    PgSession reader(fx.url());
    PgSession watcher(fx.url());
    holder.exec("BEGIN");
    holder.query("SELECT FROM fuel.ingest_state WHERE stream = 'snapshot' FOR UPDATE");
    reader.exec("SET statement_timeout = '10s'");
    const std::string dashboard = "SELECT count(*) FROM reporting.v_fuel_fills";
    Loader loader(fx);
    const auto wait_for = [&](const std::string& sql) {
        std::vector<Row> rows;
        for (const auto until = Clock::now() + std::chrono::minutes(5);
             rows.empty() && !loader.done() && Clock::now() < until;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            rows = watcher.query(sql);
        }
        return rows;
    };

    // While the rows go in (the load writes fuel.records).
    const auto writing = wait_for(
        "SELECT pid FROM pg_locks WHERE relation = 'fuel.records'::regclass AND granted AND "
        "mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()");
    const Answer during = timed(reader, dashboard);
    // Once the rows are in and the indexes built, before the commit.
    const auto bookkeeping = wait_for(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
        "wait_event_type = 'Lock' AND query LIKE 'UPDATE fuel.ingest_state%'");
    std::string locks;
    if (!bookkeeping.empty()) {
        locks = watcher.scalar(
            "SELECT string_agg(mode, ',' ORDER BY mode) FROM pg_locks WHERE "
            "relation = 'fuel.records'::regclass AND pid = $1",
            {*bookkeeping[0][0]});
    }
    const Answer after = timed(reader, dashboard);
    holder.exec("ROLLBACK");

    REQUIRE_FALSE(writing.empty());
    REQUIRE_FALSE(bookkeeping.empty());
    for (const Answer& answer : {during, after}) {
        INFO(answer.value);
        CHECK(answer.ok);
        CHECK(answer.seconds < 1.0);
        CHECK(answer.value == "0");  // asked before the load committed, and not made to wait
    }
    // It built the indexes after its rows (a SHARE lock) and never held the table exclusively.
    CHECK(locks == "AccessShareLock,RowExclusiveLock,ShareLock");

    const auto result = loader.result();
    REQUIRE(result.refused == Refusal::none);
    CHECK(result.counts.inserted == 100000);
    CHECK(secondary_indexes(fx.pg()) == migrated);
    CHECK(timed(reader, dashboard).value == "100000");
}

TEST_CASE("A reader holding a transaction open neither blocks a first load nor makes it fail",
          "[integration]") {
    EngineFixture fx;
    fx.options.batch_rows = 5000;
    put_first_snapshot(fx, 10000, 52);
    const std::string migrated = secondary_indexes(fx.pg());

    PgSession reader(fx.url());
    reader.exec("BEGIN");
    CHECK(reader.scalar("SELECT count(*) FROM reporting.v_fuel_fills") == "0");
    Loader loader(fx);
    const bool finished = loader.wait_for(std::chrono::seconds(90));
    if (!finished) reader.exec("ROLLBACK");  // lets a load that waits for the reader go on
    CHECK(finished);
    const auto result = loader.result();
    REQUIRE(result.refused == Refusal::none);
    CHECK(result.counts.inserted == 10000);
    if (finished) {
        // The reader's transaction is untouched and sees the load now that it committed.
        CHECK(reader.scalar("SELECT count(*) FROM reporting.v_fuel_fills") == "10000");
        reader.exec("ROLLBACK");
    }
    CHECK(secondary_indexes(fx.pg()) == migrated);
}
