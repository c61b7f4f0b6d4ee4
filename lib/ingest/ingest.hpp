// The ingest engine's public API: apply the snapshot or the new change files to fuel.records.
// Failures (network, 5xx, database) throw (s3::S3Error, db::DbError); what the rules decide —
// a refused snapshot, a rejected file — is a result, not an exception.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ff::db {
class Connection;
}
namespace ff::s3 {
class ObjectStore;
}

namespace ff::ingest {

class Storage;

// What one run did. Every count is a row of count_fields below, which to_json, summary, +=, the
// reading of the apply functions' answer and the rows metric iterate: a count is added there once.
struct Counts {
    long long rows_read = 0;
    long long inserted = 0;
    long long updated = 0;
    long long soft_deleted = 0;
    long long undeleted = 0;
    long long unchanged = 0;
    long long stale = 0;
    long long rejected = 0;
    long long flagged = 0;  // rows written whose flags array is not empty
    long long duplicates = 0;
    long long files_applied = 0;
    long long files_quarantined = 0;
    long long skipped_etag = 0;
    // Snapshot rows that could not be read and whose id could not be read either (also counted in
    // rejected); while there is one, the snapshot soft-deletes no absent row (contract §2) ...
    long long unidentified = 0;
    // ... and these are the absent rows it would have soft-deleted.
    long long deletes_withheld = 0;
    std::map<std::string, long long> flags;  // per quality flag, rows written carrying it

    Counts& operator+=(const Counts& other);
    long long written() const { return inserted + updated + soft_deleted + undeleted; }
};

// Who counts a field: the apply function (fuel.apply_snapshot and fuel.apply_change_file answer
// each such key, and an answer without one is an error), the stager while it reads the file, or
// the run around them (files and ETags).
enum class CountSource { apply, stager, run };

struct CountField {
    std::string_view key;    // in to_json and in the apply's answer
    std::string_view label;  // in summary()
    long long Counts::*member;
    CountSource source;
    bool row_action;  // an `action` of fleetfuel_rows_total (docs/metrics.md)
};

// In the order of to_json and summary.
inline constexpr std::array<CountField, 15> count_fields = {{
    {"rows_read", "read", &Counts::rows_read, CountSource::stager, false},
    {"inserted", "inserted", &Counts::inserted, CountSource::apply, true},
    {"updated", "updated", &Counts::updated, CountSource::apply, true},
    {"soft_deleted", "soft-deleted", &Counts::soft_deleted, CountSource::apply, true},
    {"undeleted", "undeleted", &Counts::undeleted, CountSource::apply, true},
    {"unchanged", "unchanged", &Counts::unchanged, CountSource::apply, true},
    {"stale", "stale", &Counts::stale, CountSource::apply, true},
    {"rejected", "rejected", &Counts::rejected, CountSource::stager, true},
    {"flagged", "flagged", &Counts::flagged, CountSource::apply, false},
    {"duplicates", "duplicates", &Counts::duplicates, CountSource::apply, false},
    {"files_applied", "files applied", &Counts::files_applied, CountSource::run, false},
    {"files_quarantined", "quarantined", &Counts::files_quarantined, CountSource::run, false},
    {"skipped_etag", "skipped (etag)", &Counts::skipped_etag, CountSource::run, false},
    {"unidentified", "unidentified", &Counts::unidentified, CountSource::stager, false},
    {"deletes_withheld", "soft deletes withheld", &Counts::deletes_withheld, CountSource::apply,
     false},
}};

// {"rows_read":..,"inserted":..,...,"deletes_withheld":..}: the keys of count_fields, in order.
std::string to_json(const Counts& counts);
// One line for stderr: "read 10, inserted 3, ..."
std::string summary(const Counts& counts);

// How run_changes lists <prefix>changes/. A recent listing is what each poll of the daemon
// does: one request while nothing new arrives, whatever the bucket holds. A full listing pages
// through every object and finds a file that is not in the ledger however late it landed: the
// daemon does one every SNAPSHOT_INTERVAL, `import --changes` every time.
enum class Listing { recent, full };

struct IngestOptions {
    std::string prefix = "fuel_records/";
    double max_delete_fraction = 0.10;
    Listing listing = Listing::full;
    // A recent listing lists this many of the newest processed change files at or below the
    // watermark again, so a file that lands a little late (an exporter retry) is found at once.
    std::size_t listing_overlap = 100;
    bool force = false;   // apply a snapshot that a guard refused
    bool dry_run = true;  // run everything in a transaction that is rolled back
    std::size_t batch_rows = 5000;
};

enum class Refusal { none, mass_delete, older_snapshot, empty };
const char* to_string(Refusal refusal);

struct SnapshotResult {
    Counts counts;
    bool not_modified = false;        // ETag equal to the last applied one: nothing read
    Refusal refused = Refusal::none;  // a guard refused (nothing applied; exit 3)
    bool forced = false;              // a guard would have refused, --force applied it anyway
    // An unreadable row without a readable id: no absent row was soft-deleted (counts say how
    // many would have been); everything else applied.
    bool deletes_withheld = false;
    std::optional<std::string> file_error;  // truncated, not JSON, wrong shape: rejected whole
    std::string message;                    // why refused or rejected, for the operator
    std::optional<std::chrono::system_clock::time_point> last_modified;  // of latest.json
};

struct ChangesResult {
    Counts counts;
    std::vector<std::string> warnings;  // e.g. an applied file reappeared with another ETag
    // Lag inputs: the oldest listed change file not applied after this run (dry run: every new
    // one), and the newest listed change file.
    std::optional<std::chrono::system_clock::time_point> oldest_pending_modified;
    std::optional<std::chrono::system_clock::time_point> newest_modified;
    // Late files: applied although their key is at or below where a recent listing starts, so
    // only a full listing finds them; and the Last-Modified of the oldest of them (how long it
    // waited, for the lag).
    long long late_files = 0;
    std::optional<std::chrono::system_clock::time_point> oldest_late_modified;
    bool full_listing = false;
    long long objects_listed = 0;
    std::string listing_start;  // where a recent listing starts ("" = from the first key)
};

// The engine runs on a Storage (storage.hpp); each entry point also takes a connection, for
// which it uses the PostgreSQL one (PgStorage).

// Reconciles <prefix>latest.json into fuel.records in one transaction (rolled back on a dry run).
boost::asio::awaitable<SnapshotResult> run_snapshot(Storage& storage, s3::ObjectStore& store,
                                                    const IngestOptions& options);
boost::asio::awaitable<SnapshotResult> run_snapshot(db::Connection& db, s3::ObjectStore& store,
                                                    const IngestOptions& options);

// Applies every change file under <prefix>changes/ that is not in the ledger, in key order, one
// transaction per file (a dry run: one transaction, a savepoint per file, rolled back); records
// every other object there once. Lists as options.listing says, one page at a time.
boost::asio::awaitable<ChangesResult> run_changes(Storage& storage, s3::ObjectStore& store,
                                                  const IngestOptions& options);
boost::asio::awaitable<ChangesResult> run_changes(db::Connection& db, s3::ObjectStore& store,
                                                  const IngestOptions& options);

// The key a recent listing would start after now ("" = from the first key), from the watermark
// and the ledger, as run_changes computes it.
boost::asio::awaitable<std::string> recent_listing_start(Storage& storage,
                                                         const IngestOptions& options);
boost::asio::awaitable<std::string> recent_listing_start(db::Connection& db,
                                                         const IngestOptions& options);

}  // namespace ff::ingest
