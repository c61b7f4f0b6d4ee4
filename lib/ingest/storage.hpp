// The storage seam: everything the ingest engine asks of the database, named by what it means to
// the engine (a ledger page, the watermark, a staged batch, an apply, a reject). PgStorage
// (pg_storage.hpp) is the one implementation and holds every bookkeeping statement; the engine's
// unit tests run on an in-memory one (tests/support/memory_storage.hpp). The ordering rules are
// not here: they are fuel.apply_snapshot and fuel.apply_change_file, reached through apply_*.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"

namespace ff::ingest {

using TimePoint = std::chrono::system_clock::time_point;

// Where a unit of work writes: a transaction of its own, or a savepoint inside the one
// transaction a dry run keeps open and rolls back at its end.
enum class Scope { transaction, savepoint };

struct LedgerEntry {
    std::string etag;
    std::string status;  // applied | quarantined
};
// The ledger rows of some keys, by key.
using LedgerPage = std::map<std::string, LedgerEntry, std::less<>>;

// A change file's verdict as the ledger keeps it, with what its apply counted. Recording it also
// raises the watermark to its key and, when quarantined, records the reason in fuel.rejects.
struct FileRecord {
    std::string key;
    std::string etag;
    TimePoint last_modified{};
    std::uint64_t size = 0;
    Counts counts;
    std::string quarantine_reason;  // empty: applied
};

// An object under changes/ that is not a change file.
struct StrayRecord {
    std::string key;
    std::string etag;
    TimePoint last_modified{};
    std::uint64_t size = 0;
    std::string reason;
};

// What the snapshot's apply is told besides what was staged.
struct SnapshotApply {
    std::string exported_at;  // as written in the export, or empty
    TimePoint last_modified{};
    bool force = false;
    double max_delete_fraction = 0.10;
    bool ids_ascending = false;
    std::optional<long long> stored_live;
    long long unidentified = 0;
};

// The snapshot applied: what fuel.ingest_state keeps of it.
struct SnapshotApplied {
    std::string etag;
    std::string exported_at;  // as written in the export, or empty (then last_modified counts)
    TimePoint last_modified{};
};

// Whether a first load may build its indexes at its end (fuel.ingest_prepare_first_load).
enum class FirstLoad { dropped, busy, not_owner, not_empty };

// One stored row as the snapshot stager compares it: content hash (hex) and liveness.
struct StoredRow {
    long long id = 0;
    std::string hash;
    bool live = false;
};

// The staging tables of one transaction (fuel.ingest_begin_snapshot / _changes create them).
enum class Staging { snapshot_seen, snapshot_rows, snapshot_gone, snapshot_unread, change_rows };

// When a stream last succeeded, as fuel.ingest_state records it ("snapshot" or "changes").
struct StreamSuccess {
    std::string stream;
    TimePoint at{};
};

// For the operator: a quarantined change file, and one entry of fuel.rejects.
struct QuarantinedFile {
    std::string key;
    std::string etag;
    std::string processed_at;
    std::optional<std::string> reason;
};
struct RejectEntry {
    std::string at;
    std::string stream;
    std::optional<std::string> object_key;
    std::string kind;
    std::optional<long long> record_id;
    std::string reason;
};

class Storage {
  public:
    virtual ~Storage() = default;

    // Units of work; the engine uses them through transaction.hpp, never by hand.
    virtual boost::asio::awaitable<void> begin(Scope scope) = 0;
    virtual boost::asio::awaitable<void> commit(Scope scope) = 0;
    virtual boost::asio::awaitable<void> rollback(Scope scope) = 0;
    // False when the session is gone (its transaction went with it): nothing more can be sent.
    virtual bool usable() const = 0;

    // The changes stream: the watermark and the ledger (fuel.ingest_state, fuel.change_files).
    virtual boost::asio::awaitable<std::optional<std::string>> watermark() = 0;
    // Sets it (nullopt: none); a no-op when it already is `to`.
    virtual boost::asio::awaitable<void> set_watermark(std::optional<std::string> to) = 0;
    // Up to `limit` ledger keys below `key` (or at it, when `inclusive`), newest first.
    virtual boost::asio::awaitable<std::vector<std::string>> ledger_keys_below(
        const std::string& key, bool inclusive, int limit) = 0;
    // The ledger rows of `keys` (one look-up, by primary key).
    virtual boost::asio::awaitable<LedgerPage> ledger_page(
        const std::vector<std::string_view>& keys) = 0;
    virtual boost::asio::awaitable<void> record_file(const FileRecord& file) = 0;
    // Records a stray once; false when it was recorded before (nothing written).
    virtual boost::asio::awaitable<bool> record_stray(const StrayRecord& stray) = 0;
    // Records once per (key, ETag) that an applied file reappeared with other content; false when
    // it was recorded before.
    virtual boost::asio::awaitable<bool> record_etag_change(const std::string& key,
                                                            const std::string& etag,
                                                            const std::string& reason) = 0;
    // Clears a quarantined file's ETag so the next listing that sees it retries it.
    virtual boost::asio::awaitable<void> requeue(const std::string& key) = 0;

    // Staging and applying (in the caller's transaction).
    virtual boost::asio::awaitable<void> begin_change_staging() = 0;
    virtual boost::asio::awaitable<void> begin_snapshot_staging() = 0;
    // COPY text into a staging table: stage() in one piece, or open/put/close in pieces.
    virtual boost::asio::awaitable<void> stage(Staging table, std::string_view copy_text) = 0;
    virtual boost::asio::awaitable<void> stage_open(Staging table) = 0;
    virtual boost::asio::awaitable<void> stage_put(std::string_view copy_text) = 0;
    virtual boost::asio::awaitable<void> stage_close() = 0;
    virtual boost::asio::awaitable<detail::ApplyOutcome> apply_change_file(
        TimePoint last_modified) = 0;
    virtual boost::asio::awaitable<detail::ApplyOutcome> apply_snapshot(
        const SnapshotApply& apply) = 0;

    // What fuel.records stores: whether it is empty, by ids, and by id range (ascending, at most
    // `limit` rows).
    virtual boost::asio::awaitable<bool> records_empty() = 0;
    virtual boost::asio::awaitable<std::vector<StoredRow>> stored_by_ids(
        const std::vector<long long>& ids) = 0;
    virtual boost::asio::awaitable<std::vector<StoredRow>> stored_in_range(long long from,
                                                                           long long to,
                                                                           int limit) = 0;

    // The last success of each stream that has one: the daemon's gauges start from them.
    virtual boost::asio::awaitable<std::vector<StreamSuccess>> last_successes() = 0;

    // The snapshot stream's state.
    virtual boost::asio::awaitable<std::optional<std::string>> snapshot_etag() = 0;
    virtual boost::asio::awaitable<void> record_snapshot_applied(const SnapshotApplied& s) = 0;
    // A refused or rejected snapshot: one reject, and the stream's last error.
    virtual boost::asio::awaitable<void> record_snapshot_failure(const std::string& key,
                                                                 const std::string& etag,
                                                                 const std::string& kind,
                                                                 const std::string& message) = 0;
    // First load: drop the secondary indexes outside the load's transaction, and put them back.
    virtual boost::asio::awaitable<FirstLoad> prepare_first_load() = 0;
    virtual boost::asio::awaitable<void> restore_indexes() = 0;

    // Rejects: rows of one object, and the ETag of the rejects written before it was known.
    virtual boost::asio::awaitable<void> write_rejects(
        std::string_view stream, const std::string& key, const std::string& etag,
        const std::vector<detail::RejectRow>& rows) = 0;
    virtual boost::asio::awaitable<void> set_rejects_etag(const std::string& key,
                                                          const std::string& etag) = 0;

    // What `fleetfuel rejects` shows.
    virtual boost::asio::awaitable<std::vector<QuarantinedFile>> quarantined_files() = 0;
    virtual boost::asio::awaitable<std::vector<RejectEntry>> recent_rejects(long long limit) = 0;
};

}  // namespace ff::ingest
