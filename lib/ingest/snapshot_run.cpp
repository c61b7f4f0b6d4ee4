// The snapshot pipeline: conditional GET of latest.json, stream it into staging, apply it with
// fuel.apply_snapshot in one transaction, commit (or roll back on a dry run or a refusal).
#include <spdlog/spdlog.h>

#include <exception>

#include "core/time_format.hpp"
#include "db/connection.hpp"
#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "ingest/snapshot_stager.hpp"
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

// A refusal or a rejected file is recorded after the data was rolled back (apply mode only).
awaitable<void> record_failure(db::Connection& db, const std::string& key, const std::string& etag,
                               const std::string& kind, const std::string& message) {
    db::Params params1{key, etag, kind, detail::clean_text(message, 4096)};
    co_await db.exec(
        "WITH r AS (INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
        "           VALUES ('snapshot', $1, NULLIF($2, ''), $3, $4)) "
        "UPDATE fuel.ingest_state SET last_error = $4, last_error_at = now(), "
        "       last_attempt_at = now(), updated_at = now() WHERE stream = 'snapshot'",
        std::move(params1));
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

awaitable<Staged> stage_snapshot(db::Connection& db, s3::ObjectStore& store, const std::string& key,
                                 const s3::GetOptions& get_options, std::size_t batch_rows) {
    co_await db.exec("SELECT fuel.ingest_begin_snapshot()");
    auto stored = co_await db.exec("SELECT NOT EXISTS (SELECT FROM fuel.records)");
    detail::SnapshotStager stager(db, key, batch_rows, stored.get(0, 0) == "t");
    Staged staged;
    std::exception_ptr failure;
    try {
        staged.got = co_await store.get(
            key, get_options,
            [&stager](std::string_view chunk) -> awaitable<void> { co_await stager.feed(chunk); });
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await stager.drain();
        std::rethrow_exception(failure);
    }
    if (staged.got.not_modified) co_return staged;
    co_await stager.finish();
    staged.file_error = stager.file_error();
    staged.read_counts = stager.counts();
    staged.ids_ascending = stager.ids_ascending();
    staged.stored_live = stager.stored_live();
    staged.unidentified = stager.unidentified();
    if (stager.meta().exported_at) staged.exported_at_text = *stager.meta().exported_at;
    if (stager.wrote_rejects() && !staged.got.info.etag.empty()) {
        // Rejects were written while the ETag was not known yet; now() is this transaction's.
        db::Params params2{key, staged.got.info.etag};
        co_await db.exec(
            "UPDATE fuel.rejects SET etag = $2 WHERE object_key = $1 AND etag IS NULL AND at = "
            "now()",
            std::move(params2));
    }
    co_return staged;
}

// The database's verdict on the staged snapshot; when it applies and this is no dry run, the
// snapshot's bookkeeping too, and the commit.
awaitable<detail::ApplyOutcome> apply_staged(db::Connection& db, const Staged& staged,
                                             const IngestOptions& options) {
    const std::string last_modified = time::rfc3339_millis(staged.got.info.last_modified);
    db::Params params3{
        staged.exported_at_text,
        last_modified,
        options.force ? "true" : "false",
        std::to_string(options.max_delete_fraction),
        staged.ids_ascending ? "true" : "false",
        staged.stored_live ? db::Param(std::to_string(*staged.stored_live)) : db::Param(),
        std::to_string(staged.unidentified)};
    auto applied = co_await db.exec(
        "SELECT fuel.apply_snapshot(coalesce(fuel.ingest_ts(NULLIF($1, '')), "
        "$2::timestamptz), $3::boolean, $4::numeric, $5::boolean, $6::bigint, "
        "$7::bigint)::text",
        std::move(params3));
    detail::ApplyOutcome outcome = detail::parse_apply_result(applied.get(0, 0));
    if ((!outcome.refused.empty() && !outcome.forced) || options.dry_run) co_return outcome;
    db::Params params4{staged.got.info.etag, staged.exported_at_text, last_modified};
    co_await db.exec(
        "UPDATE fuel.ingest_state SET snapshot_etag = NULLIF($1, ''), "
        "snapshot_exported_at = coalesce(fuel.ingest_ts(NULLIF($2, '')), "
        "$3::timestamptz), last_success_at = now(), last_attempt_at = now(), "
        "last_error = NULL, updated_at = now() WHERE stream = 'snapshot'",
        std::move(params4));
    co_await db.exec("COMMIT");
    co_return outcome;
}

// A load into an empty table inserts without the secondary indexes and builds them at its end.
// Dropping them takes fuel.records' ACCESS EXCLUSIVE lock, so it is done here, before the load's
// transaction, committed at once and only when no reader holds the table: a dashboard query never
// waits for a load (sql/R__030_ingest.sql, fuel.ingest_prepare_first_load). True when dropped.
awaitable<bool> prepare_first_load(db::Connection& db) {
    auto res = co_await db.exec("SELECT fuel.ingest_prepare_first_load()");
    const std::string verdict(res.get(0, 0));
    if (verdict == "busy") {
        spdlog::info(
            "snapshot: fuel.records is empty but a reader holds it: this load keeps its indexes");
    } else if (verdict == "not_owner") {
        spdlog::debug("snapshot: not the owner of fuel.records: a first load keeps its indexes");
    }
    co_return verdict == "dropped";
}

// A load that dropped the indexes and did not commit puts them back at once (an empty table: it
// takes milliseconds); after a crash the next fuel.apply_snapshot does.
awaitable<void> restore_indexes_quietly(db::Connection& db) {
    if (!db.usable()) co_return;
    try {
        co_await db.exec("SELECT fuel.ingest_ensure_indexes()");
    } catch (const std::exception& e) {
        spdlog::warn("snapshot: re-creating the indexes of fuel.records: {}", e.what());
    }
}

}  // namespace

awaitable<SnapshotResult> run_snapshot(db::Connection& db, s3::ObjectStore& store,
                                       const IngestOptions& options) {
    SnapshotResult result;
    const std::string key = options.prefix + "latest.json";

    s3::GetOptions get_options;
    auto state =
        co_await db.exec("SELECT snapshot_etag FROM fuel.ingest_state WHERE stream = 'snapshot'");
    if (state.rows() > 0 && !state.is_null(0, 0))
        get_options.if_none_match = std::string(state.get(0, 0));
    const bool indexes_dropped = !options.dry_run && co_await prepare_first_load(db);

    co_await db.exec("BEGIN");
    std::exception_ptr failure;
    Staged staged;
    detail::ApplyOutcome outcome;
    try {
        staged = co_await stage_snapshot(db, store, key, get_options, options.batch_rows);
        if (!staged.got.not_modified && !staged.file_error)
            outcome = co_await apply_staged(db, staged, options);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await detail::rollback_quietly(db);
        if (indexes_dropped) co_await restore_indexes_quietly(db);
        std::rethrow_exception(failure);
    }
    const bool committed = !options.dry_run && !staged.got.not_modified && !staged.file_error &&
                           (outcome.refused.empty() || outcome.forced);
    if (!committed) {
        co_await db.exec("ROLLBACK");
        if (indexes_dropped) co_await restore_indexes_quietly(db);
    }

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
            co_await record_failure(db, key, staged.got.info.etag, "file", result.message);
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
                co_await record_failure(db, key, staged.got.info.etag, "snapshot_refused",
                                        result.message);
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

}  // namespace ff::ingest
