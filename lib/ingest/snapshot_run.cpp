// The snapshot pipeline: conditional GET of latest.json, stream it into staging, apply it with
// fuel.apply_snapshot in one transaction, commit (or roll back on a dry run or a refusal).
#include <spdlog/spdlog.h>

#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "ingest/pg_storage.hpp"
#include "ingest/snapshot_stager.hpp"
#include "ingest/transaction.hpp"
#include "s3/object_store.hpp"

namespace ff::ingest {

namespace {

using boost::asio::awaitable;

Refusal refusal_from(const std::string& reason) {
    if (reason == "mass_delete") return Refusal::mass_delete;
    if (reason == "older_snapshot") return Refusal::older_snapshot;
    if (reason == "empty") return Refusal::empty;
    return Refusal::none;
}

std::string refusal_message(const detail::ApplyOutcome& outcome) {
    return "snapshot refused (" + outcome.refused + "): " + outcome.detail;
}

// Everything between BEGIN and the decision to commit: stream, stage, apply.
struct Staged {
    s3::GetResult got;
    std::optional<std::string> file_error;
    Counts read_counts;
    std::string exported_at_text;  // as written in the object, or empty
    bool ids_ascending = false;
    std::optional<long long> stored_live;
    long long unidentified = 0;
};

awaitable<Staged> stage_snapshot(Storage& storage, s3::ObjectStore& store, const std::string& key,
                                 const s3::GetOptions& get_options, std::size_t batch_rows) {
    co_await storage.begin_snapshot_staging();
    const bool table_empty = co_await storage.records_empty();
    detail::SnapshotStager stager(storage, key, batch_rows, table_empty);
    Staged staged;
    staged.got = co_await on_failure(
        [&] {
            return store.get(key, get_options,
                             [&stager](std::string_view chunk) -> awaitable<void> {
                                 co_await stager.feed(chunk);
                             });
        },
        [&] { return stager.drain(); });
    if (staged.got.not_modified) co_return staged;
    co_await stager.finish();
    staged.file_error = stager.file_error();
    staged.read_counts = stager.counts();
    staged.ids_ascending = stager.ids_ascending();
    staged.stored_live = stager.stored_live();
    staged.unidentified = stager.unidentified();
    if (stager.meta().exported_at) staged.exported_at_text = *stager.meta().exported_at;
    // Rejects were written while the ETag was not known yet.
    if (stager.wrote_rejects() && !staged.got.info.etag.empty())
        co_await storage.set_rejects_etag(key, staged.got.info.etag);
    co_return staged;
}

// The database's verdict on the staged snapshot; when it applies and this is no dry run, the
// snapshot's bookkeeping too, and the commit.
awaitable<detail::ApplyOutcome> apply_staged(Storage& storage, Unit& unit, const Staged& staged,
                                             const IngestOptions& options) {
    // Filled member by member: GCC 12 destroys the members of an aggregate initialised from
    // copies in a coroutine twice.
    SnapshotApply apply;
    apply.exported_at = staged.exported_at_text;
    apply.last_modified = staged.got.info.last_modified;
    apply.force = options.force;
    apply.max_delete_fraction = options.max_delete_fraction;
    apply.ids_ascending = staged.ids_ascending;
    apply.stored_live = staged.stored_live;
    apply.unidentified = staged.unidentified;
    detail::ApplyOutcome outcome = co_await storage.apply_snapshot(apply);
    if ((!outcome.refused.empty() && !outcome.forced) || options.dry_run) co_return outcome;
    SnapshotApplied applied;
    applied.etag = staged.got.info.etag;
    applied.exported_at = staged.exported_at_text;
    applied.last_modified = staged.got.info.last_modified;
    co_await storage.record_snapshot_applied(applied);
    co_await unit.commit();
    co_return outcome;
}

// A load into an empty table inserts without the secondary indexes and builds them at its end.
// Dropping them takes fuel.records' ACCESS EXCLUSIVE lock, so it is done here, before the load's
// transaction, committed at once and only when no reader holds the table: a dashboard query never
// waits for a load (sql/R__030_ingest.sql, fuel.ingest_prepare_first_load). True when dropped.
awaitable<bool> prepare_first_load(Storage& storage) {
    const FirstLoad verdict = co_await storage.prepare_first_load();
    if (verdict == FirstLoad::busy) {
        spdlog::info(
            "snapshot: fuel.records is empty but a reader holds it: this load keeps its indexes");
    } else if (verdict == FirstLoad::not_owner) {
        spdlog::debug("snapshot: not the owner of fuel.records: a first load keeps its indexes");
    }
    co_return verdict == FirstLoad::dropped;
}

// A load that dropped the indexes and did not commit puts them back at once (an empty table: it
// takes milliseconds); after a crash the next fuel.apply_snapshot does.
awaitable<void> restore_indexes_quietly(Storage& storage) {
    if (!storage.usable()) co_return;
    try {
        co_await storage.restore_indexes();
    } catch (const std::exception& e) {
        spdlog::warn("snapshot: re-creating the indexes of fuel.records: {}", e.what());
    }
}

}  // namespace

awaitable<SnapshotResult> run_snapshot(Storage& storage, s3::ObjectStore& store,
                                       const IngestOptions& options) {
    SnapshotResult result;
    const std::string key = options.prefix + "latest.json";

    s3::GetOptions get_options;
    get_options.if_none_match = co_await storage.snapshot_etag();
    const bool indexes_dropped = !options.dry_run && co_await prepare_first_load(storage);
    auto restore_indexes = [&]() -> awaitable<void> {
        if (indexes_dropped) co_await restore_indexes_quietly(storage);
    };

    // Rolled back unless apply_staged commits it: a dry run, a refusal, a rejected file, 304.
    Staged staged;
    detail::ApplyOutcome outcome;
    bool committed = false;
    co_await on_failure(
        [&] {
            return in_unit(storage, Scope::transaction, [&](Unit& unit) -> awaitable<void> {
                staged =
                    co_await stage_snapshot(storage, store, key, get_options, options.batch_rows);
                if (!staged.got.not_modified && !staged.file_error)
                    outcome = co_await apply_staged(storage, unit, staged, options);
                committed = !unit.open();
            });
        },
        restore_indexes);
    if (!committed) co_await restore_indexes();

    result.last_modified = staged.got.info.last_modified;
    if (staged.got.not_modified) {
        result.not_modified = true;
        result.counts.skipped_etag = 1;
        co_return result;
    }
    result.counts = outcome.counts;
    result.counts.rows_read = staged.read_counts.rows_read;
    result.counts.rejected = staged.read_counts.rejected;
    result.counts.unidentified = staged.unidentified;
    if (staged.file_error) {
        result.file_error = staged.file_error;
        result.message = "snapshot " + key + " rejected whole: " + *staged.file_error;
        if (!options.dry_run)
            co_await storage.record_snapshot_failure(key, staged.got.info.etag, "file",
                                                     result.message);
        co_return result;
    }
    if (!outcome.refused.empty()) {
        result.message = refusal_message(outcome);
        if (outcome.forced) {
            result.forced = true;
            spdlog::warn("snapshot: guard {} overridden by --force", outcome.refused);
        } else {
            result.refused = refusal_from(outcome.refused);
            result.counts = Counts{};
            result.counts.rows_read = staged.read_counts.rows_read;
            result.counts.rejected = staged.read_counts.rejected;
            result.counts.unidentified = staged.unidentified;
            if (!options.dry_run) {
                co_await storage.record_snapshot_failure(key, staged.got.info.etag,
                                                         "snapshot_refused", result.message);
            }
            co_return result;
        }
    }
    if (result.counts.unidentified > 0) {
        result.deletes_withheld = true;
        spdlog::warn(
            "snapshot: {} row(s) could not be read and no id could be read from them either "
            "(fuel.rejects has them): no absent row is soft-deleted in this run; {} would have "
            "been",
            result.counts.unidentified, result.counts.deletes_withheld);
    }
    co_return result;
}

awaitable<SnapshotResult> run_snapshot(db::Connection& db, s3::ObjectStore& store,
                                       const IngestOptions& options) {
    PgStorage storage(db);
    co_return co_await run_snapshot(storage, store, options);
}

}  // namespace ff::ingest
