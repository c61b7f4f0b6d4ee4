// Test fixture for the ingest engine: a migrated scratch database, an async connection, and an
// object store (a local directory, or a bucket on the test S3 server) to seed exports into.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "db/connection.hpp"
#include "ingest/ingest.hpp"
#include "ingest/verify.hpp"
#include "s3/object_store.hpp"
#include "s3/s3_client.hpp"
#include "support/export_generator.hpp"
#include "support/pg_test.hpp"

namespace fftest {

// Runs one coroutine to completion on `io` and returns its value (rethrows its exception).
template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    std::optional<T> value;
    std::exception_ptr error;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T v) {
        error = e;
        if (!e) value = std::move(v);
    });
    io.restart();
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*value);
}
void run_on(boost::asio::io_context& io, boost::asio::awaitable<void> task);

enum class StoreKind { local, s3 };

class EngineFixture {
  public:
    // `list_page_size`: keys per ListObjectsV2 page of the S3 store.
    explicit EngineFixture(StoreKind kind = StoreKind::local, int list_page_size = 1000);
    ~EngineFixture();

    void put(const std::string& key, const std::string& body);  // key relative to the prefix
    // Sets an object's Last-Modified (the local store's mtime; the local store only), which stands
    // in for a change's missing changed_at.
    void set_last_modified(const std::string& key, Ts at);
    ff::ingest::SnapshotResult snapshot(bool apply = true, bool force = false);
    ff::ingest::ChangesResult changes(bool apply = true);

    // Fails the test unless fuel.records holds exactly what the model says, for every id, and
    // `fleetfuel verify` finds nothing to report.
    void expect_state(const ReferenceModel& model);
    // Fails the test unless every stored row's version is the model's, and, with
    // `change_batch_at`, its change-batch time too (only where every file time is known).
    void expect_versions(const ReferenceModel& model, bool change_batch_at);
    // Every column of every row of fuel.records but the two wall-clock ones (first_seen_at,
    // last_changed_at), one JSON line per row in id order: equal dumps are equal tables.
    std::string dump_records();
    // `fleetfuel verify` over the fixture's database and store (lib/ingest/verify.hpp), with the
    // fixture's prefix and listing overlap.
    ff::ingest::VerifyResult verify(ff::ingest::VerifyOptions o = {});
    // Fails the test, naming each difference, unless verify finds every stored row's typed
    // columns equal to fuel.normalise(raw), every change file in the store in the ledger and the
    // watermark a change file's key. expect_normalised() is the same check.
    void expect_verified();
    void expect_normalised() { expect_verified(); }

    PgSession& pg() { return *pg_; }
    const std::string& url() const { return db_.url(); }
    const std::filesystem::path& dir() const { return dir_; }
    const std::string& bucket() const { return bucket_; }
    // ListObjectsV2 requests the S3 store has sent so far (each page is one).
    int list_requests() const { return list_requests_; }
    ff::ingest::IngestOptions options;

  private:
    ScratchDatabase db_;
    std::unique_ptr<PgSession> pg_;
    boost::asio::io_context io_;
    std::unique_ptr<ff::db::Connection> conn_;
    StoreKind kind_;
    std::filesystem::path dir_;
    std::string bucket_;
    std::unique_ptr<ff::s3::ObjectStore> local_;
    std::unique_ptr<ff::s3::S3Client> s3_;
    ff::s3::ObjectStore* store_ = nullptr;
    int list_requests_ = 0;
};

// Applies every embedded migration (lib/db's migrate) to the database at `url`.
void migrate_database(const std::string& url);

}  // namespace fftest

namespace fftest {

// A reproducible history: snapshot 1, four change files (f0 … f3, key order = time order), and a
// snapshot 2 taken between f2 and f3, with stale rows, duplicates, tombstones, source deletes,
// rows without updated_at, and rows changed by a batch after snapshot 2's exported_at.
struct ChangeFileSpec {
    std::string key;  // relative to the prefix: "changes/….json"
    Ts file_time;     // stands in for a missing changed_at (the object's Last-Modified)
    std::vector<GenChange> changes;
    std::string body;
};
struct Scenario {
    Ts e1 = 0, e2 = 0;
    std::vector<GenRow> snap1, snap2;
    std::string snap1_body, snap2_body;
    std::vector<ChangeFileSpec> files;  // f0, f1, f2, f3
};
Scenario make_scenario(std::uint32_t seed);

}  // namespace fftest
