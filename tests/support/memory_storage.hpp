// The storage seam and the object store in memory, for unit tests of the engine's own decisions
// (what ships, where listing starts, late files, quarantine, the watermark, what a refusal
// records) in milliseconds, without services. The ordering rules are not modelled: the apply
// functions here count what was staged; what fuel.apply_* decide is tested on PostgreSQL.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ingest/storage.hpp"
#include "s3/object_store.hpp"

namespace fftest {

// Runs one coroutine to completion on a fresh io_context and returns its value (or rethrows).
template <class T>
T run_memory(boost::asio::awaitable<T> task) {
    boost::asio::io_context io;
    std::optional<T> value;
    std::exception_ptr error;
    boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T v) {
        error = e;
        if (!e) value = std::move(v);
    });
    io.run();
    if (error) std::rethrow_exception(error);
    return std::move(*value);
}

// Thrown by MemoryStorage where a test asked for a failure: stands in for a database error.
struct StorageFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class MemoryStorage final : public ff::ingest::Storage {
  public:
    struct LedgerRow {
        std::string etag;
        std::string status;
        ff::ingest::Counts counts;
        std::string reason;
    };
    // A ledger row with no counts, filled in place: GCC 12 at -O2 reports a brace-initialised
    // LedgerRow temporary's empty Counts as maybe-uninitialized (a false positive that -Werror
    // turns into a Release build failure).
    void put_ledger(const std::string& key, std::string etag, std::string status,
                    std::string reason = {});
    struct Reject {
        std::string stream, key, etag, kind, reason;
        std::optional<long long> record_id;
    };
    struct StoredRow {
        std::string hash;
        bool live = true;
    };
    // Everything a transaction or savepoint can roll back.
    struct State {
        std::optional<std::string> watermark;
        std::map<std::string, LedgerRow> ledger;
        std::vector<Reject> rejects;
        std::map<long long, StoredRow> records;
        std::optional<std::string> snapshot_etag;
        std::string snapshot_exported_at;
        std::optional<std::string> snapshot_error;
        int changes_successes = 0;
        // What the last staging sent (cleared by begin_*_staging).
        std::vector<long long> shipped_ids, seen_ids, gone_ids, unread_ids;
        long long staged_changes = 0;
    };

    State state;

    // Failure injection: the next apply_change_file throws; apply_snapshot answers this refusal.
    bool fail_next_change_apply = false;
    std::string refuse_snapshot;  // "" | mass_delete | older_snapshot | empty
    ff::ingest::FirstLoad first_load = ff::ingest::FirstLoad::not_empty;
    int indexes_restored = 0;
    std::vector<std::string> statements;  // what was asked, in order ("begin", "commit", ...)

    boost::asio::awaitable<void> begin(ff::ingest::Scope scope) override;
    boost::asio::awaitable<void> commit(ff::ingest::Scope scope) override;
    boost::asio::awaitable<void> rollback(ff::ingest::Scope scope) override;
    bool usable() const override { return true; }
    bool in_transaction() const { return !saved_.empty(); }

    boost::asio::awaitable<std::optional<std::string>> watermark() override;
    boost::asio::awaitable<void> set_watermark(std::optional<std::string> to) override;
    boost::asio::awaitable<std::vector<std::string>> ledger_keys_below(const std::string& key,
                                                                       bool inclusive,
                                                                       int limit) override;
    boost::asio::awaitable<ff::ingest::LedgerPage> ledger_page(
        const std::vector<std::string_view>& keys) override;
    boost::asio::awaitable<void> record_file(const ff::ingest::FileRecord& file) override;
    boost::asio::awaitable<bool> record_stray(const ff::ingest::StrayRecord& stray) override;
    boost::asio::awaitable<bool> record_etag_change(const std::string& key, const std::string& etag,
                                                    const std::string& reason) override;
    boost::asio::awaitable<void> requeue(const std::string& key) override;

    boost::asio::awaitable<void> begin_change_staging() override;
    boost::asio::awaitable<void> begin_snapshot_staging() override;
    boost::asio::awaitable<void> stage(ff::ingest::Staging table,
                                       std::string_view copy_text) override;
    boost::asio::awaitable<void> stage_open(ff::ingest::Staging table) override;
    boost::asio::awaitable<void> stage_put(std::string_view copy_text) override;
    boost::asio::awaitable<void> stage_close() override;
    boost::asio::awaitable<ff::ingest::detail::ApplyOutcome> apply_change_file(
        ff::ingest::TimePoint last_modified) override;
    boost::asio::awaitable<ff::ingest::detail::ApplyOutcome> apply_snapshot(
        const ff::ingest::SnapshotApply& apply) override;

    boost::asio::awaitable<bool> records_empty() override;
    boost::asio::awaitable<std::vector<ff::ingest::StoredRow>> stored_by_ids(
        const std::vector<long long>& ids) override;
    boost::asio::awaitable<std::vector<ff::ingest::StoredRow>> stored_in_range(long long from,
                                                                               long long to,
                                                                               int limit) override;

    boost::asio::awaitable<std::vector<ff::ingest::StreamSuccess>> last_successes() override;
    boost::asio::awaitable<std::optional<std::string>> snapshot_etag() override;
    boost::asio::awaitable<void> record_snapshot_applied(
        const ff::ingest::SnapshotApplied& s) override;
    boost::asio::awaitable<void> record_snapshot_failure(const std::string& key,
                                                         const std::string& etag,
                                                         const std::string& kind,
                                                         const std::string& message) override;
    boost::asio::awaitable<ff::ingest::FirstLoad> prepare_first_load() override;
    boost::asio::awaitable<void> restore_indexes() override;

    boost::asio::awaitable<void> write_rejects(
        std::string_view stream, const std::string& key, const std::string& etag,
        const std::vector<ff::ingest::detail::RejectRow>& rows) override;
    boost::asio::awaitable<void> set_rejects_etag(const std::string& key,
                                                  const std::string& etag) override;

    boost::asio::awaitable<std::vector<ff::ingest::QuarantinedFile>> quarantined_files() override;
    boost::asio::awaitable<std::vector<ff::ingest::RejectEntry>> recent_rejects(
        long long limit) override;

  private:
    void take(ff::ingest::Staging table, std::string_view copy_text);

    std::vector<State> saved_;  // one per open transaction or savepoint
    std::optional<ff::ingest::Staging> open_copy_;
    // Staged snapshot rows: id -> (hash, live), as the COPY text said.
    std::map<long long, StoredRow> staged_rows_;
};

// Objects in memory: keys in byte order, listed `page_size` at a time, bodies sent in chunks of
// `chunk` bytes. The ETag is a counter bumped by every put.
class MemoryObjectStore final : public ff::s3::ObjectStore {
  public:
    void put(const std::string& key, std::string body,
             std::chrono::system_clock::time_point modified = std::chrono::system_clock::now());
    void remove(const std::string& key) { objects_.erase(key); }

    std::size_t page_size = 1000;
    std::size_t chunk = 4096;
    int gets = 0;
    std::vector<std::string> listed_after;  // start_after of every listing
    // A get of this key fails midway (a network error).
    std::optional<std::string> fail_get;

    boost::asio::awaitable<void> list_pages(std::string prefix, std::string start_after,
                                            ff::s3::PageConsumer consumer) override;
    boost::asio::awaitable<std::optional<ff::s3::ObjectInfo>> head(std::string key) override;
    boost::asio::awaitable<ff::s3::GetResult> get(std::string key, ff::s3::GetOptions options,
                                                  ff::s3::ChunkConsumer consumer) override;
    std::string describe() const override { return "memory"; }

  private:
    struct Object {
        std::string body;
        ff::s3::ObjectInfo info;
    };
    std::map<std::string, Object> objects_;
    int etags_ = 0;
};

}  // namespace fftest
