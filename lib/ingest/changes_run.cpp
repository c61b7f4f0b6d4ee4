// The change-file pipeline: list from the lookback window, let the ledger decide what is new, and
// apply each new file in key order in its own transaction (data, ledger row and watermark move
// together). A dry run is one transaction with a savepoint per file, rolled back at the end.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <map>
#include <set>

#include "core/time_format.hpp"
#include "db/connection.hpp"
#include "ingest/change_stager.hpp"
#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "s3/object_store.hpp"

namespace ff::ingest {

namespace {

using boost::asio::awaitable;

struct LedgerEntry {
    std::string etag;
    std::string status;
};

// Where listing starts: just before the oldest key processed within the lookback window (so a
// quarantined file there is listed again), else after the watermark, else from the beginning.
awaitable<std::string> list_start(db::Connection& db, const IngestOptions& options) {
    db::Params params1{std::to_string(options.changes_lookback.count())};
    auto res = co_await db.exec(
        "SELECT (SELECT min(key) FROM fuel.change_files "
        "        WHERE processed_at >= now() - $1::bigint * interval '1 millisecond'), "
        "       watermark FROM fuel.ingest_state WHERE stream = 'changes'",
        std::move(params1));
    if (res.rows() == 0) co_return std::string();
    if (!res.is_null(0, 0)) {
        std::string oldest(res.get(0, 0));
        oldest.pop_back();  // a proper prefix sorts before the key itself
        co_return oldest;
    }
    co_return std::string(res.get(0, 1));
}

awaitable<void> record_file(db::Connection& db, const s3::ObjectInfo& obj, const std::string& etag,
                            const Counts& c, const std::string& reason) {
    const bool applied = reason.empty();
    db::Params params2{obj.key,
                       etag,
                       applied ? "applied" : "quarantined",
                       time::rfc3339_millis(obj.last_modified),
                       std::to_string(obj.size),
                       std::to_string(c.rows_read),
                       std::to_string(c.inserted),
                       std::to_string(c.updated),
                       std::to_string(c.soft_deleted),
                       std::to_string(c.undeleted),
                       std::to_string(c.unchanged),
                       std::to_string(c.stale),
                       std::to_string(c.rejected),
                       detail::clean_text(reason, 4096)};
    co_await db.exec(
        "WITH l AS ("
        "  INSERT INTO fuel.change_files (key, etag, status, processed_at, last_modified, "
        "    size_bytes, rows_read, inserted, updated, soft_deleted, undeleted, unchanged, stale, "
        "    rejected, reason) "
        "  VALUES ($1, $2, $3, now(), $4::timestamptz, $5::bigint, $6::int, $7::int, $8::int, "
        "    $9::int, $10::int, $11::int, $12::int, $13::int, NULLIF($14, '')) "
        "  ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, status = EXCLUDED.status, "
        "    processed_at = now(), last_modified = EXCLUDED.last_modified, "
        "    size_bytes = EXCLUDED.size_bytes, rows_read = EXCLUDED.rows_read, "
        "    inserted = EXCLUDED.inserted, updated = EXCLUDED.updated, "
        "    soft_deleted = EXCLUDED.soft_deleted, undeleted = EXCLUDED.undeleted, "
        "    unchanged = EXCLUDED.unchanged, stale = EXCLUDED.stale, rejected = EXCLUDED.rejected, "
        "    reason = EXCLUDED.reason"
        "), r AS ("
        "  INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
        "  SELECT 'changes', $1, $2, 'file', $14 WHERE $3 = 'quarantined'"
        ") "
        "UPDATE fuel.ingest_state SET "
        "  watermark = CASE WHEN watermark IS NULL OR watermark COLLATE \"C\" < $1 COLLATE \"C\" "
        "                   THEN $1 ELSE watermark END, "
        "  last_success_at = CASE WHEN $3 = 'applied' THEN now() ELSE last_success_at END, "
        "  last_attempt_at = now(), updated_at = now() "
        "WHERE stream = 'changes'",
        std::move(params2));
}

std::optional<std::string> not_applicable(const s3::ObjectInfo& obj) {
    const std::string_view suffix = ".json";
    if (obj.key.size() < suffix.size() ||
        obj.key.compare(obj.key.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return "not a .json file";
    }
    if (obj.size == 0) return "empty file (0 bytes)";
    return std::nullopt;
}

// Stages and applies one file inside the current transaction (or savepoint). Returns its counts;
// `quarantine` is set instead when the file as a whole is rejected (staged data must be dropped).
awaitable<Counts> stage_and_apply(db::Connection& db, s3::ObjectStore& store,
                                  const s3::ObjectInfo& obj, std::size_t batch_rows,
                                  std::string& etag, std::optional<std::string>& quarantine) {
    Counts counts;
    quarantine = not_applicable(obj);
    if (quarantine) co_return counts;
    co_await db.exec("SELECT fuel.ingest_begin_changes()");
    detail::ChangeStager stager(db, obj.key, batch_rows);
    s3::GetResult got;
    std::exception_ptr failure;
    try {
        got = co_await store.get(obj.key, {}, [&stager](std::string_view chunk) -> awaitable<void> {
            co_await stager.feed(chunk);
        });
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await stager.drain();
        std::rethrow_exception(failure);
    }
    if (!got.info.etag.empty()) etag = got.info.etag;
    co_await stager.finish();
    if (stager.file_error()) {
        quarantine = *stager.file_error();
        co_return counts;
    }
    db::Params params3{time::rfc3339_millis(obj.last_modified)};
    auto applied = co_await db.exec("SELECT fuel.apply_change_file($1::timestamptz)::text",
                                    std::move(params3));
    counts = detail::parse_apply_result(applied.get(0, 0)).counts;
    counts.rows_read = stager.counts().rows_read;
    counts.rejected = stager.counts().rejected;
    if (stager.wrote_rejects()) {
        db::Params params4{obj.key, etag};
        co_await db.exec(
            "UPDATE fuel.rejects SET etag = $2 WHERE object_key = $1 AND etag IS NULL AND at = "
            "now()",
            std::move(params4));
    }
    counts.files_applied = 1;
    co_return counts;
}

// One file, start to end: its own transaction, or a savepoint inside the dry run's transaction.
awaitable<Counts> process_file(db::Connection& db, s3::ObjectStore& store,
                               const s3::ObjectInfo& obj, const IngestOptions& options) {
    const bool dry = options.dry_run;
    co_await db.exec(dry ? "SAVEPOINT ingest_file" : "BEGIN");
    std::exception_ptr failure;
    Counts counts;
    try {
        std::string etag = obj.etag;
        std::optional<std::string> quarantine;
        counts = co_await stage_and_apply(db, store, obj, options.batch_rows, etag, quarantine);
        if (quarantine) {
            // Nothing of the file applies: drop what was staged, keep only the verdict.
            co_await db.exec(dry ? "ROLLBACK TO SAVEPOINT ingest_file" : "ROLLBACK");
            if (!dry) co_await db.exec("BEGIN");
            spdlog::warn("changes: {} quarantined: {}", obj.key, *quarantine);
            counts = Counts{};
            counts.files_quarantined = 1;
        }
        co_await record_file(db, obj, etag, counts, quarantine.value_or(""));
        co_await db.exec(dry ? "RELEASE SAVEPOINT ingest_file" : "COMMIT");
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        if (!dry) co_await detail::rollback_quietly(db);
        std::rethrow_exception(failure);
    }
    co_return counts;
}

// An applied file that reappears with another ETag: reported once per ETag, never reapplied.
awaitable<void> report_etag_change(db::Connection& db, const s3::ObjectInfo& obj,
                                   const std::string& applied_etag, ChangesResult& result) {
    db::Params params5{
        obj.key, obj.etag,
        "already applied with ETag " + applied_etag + "; the new content is not applied"};
    auto res = co_await db.exec(
        "INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
        "SELECT 'changes', $1, $2, 'etag_changed', $3 WHERE NOT EXISTS ("
        "  SELECT 1 FROM fuel.rejects WHERE kind = 'etag_changed' AND object_key = $1 AND etag = "
        "$2)",
        std::move(params5));
    if (res.affected_rows() > 0) {
        std::string warning = "changes: " + obj.key + " was already applied (ETag " + applied_etag +
                              ") and reappeared with ETag " + obj.etag + ": not reapplied";
        spdlog::warn("{}", warning);
        result.warnings.push_back(std::move(warning));
    }
}

}  // namespace

awaitable<ChangesResult> run_changes(db::Connection& db, s3::ObjectStore& store,
                                     const IngestOptions& options) {
    ChangesResult result;
    const std::string start_after = co_await list_start(db, options);
    auto objects = co_await store.list(options.prefix + "changes/", start_after);
    std::sort(objects.begin(), objects.end(),
              [](const s3::ObjectInfo& a, const s3::ObjectInfo& b) { return a.key < b.key; });

    std::map<std::string, LedgerEntry> ledger;
    db::Params params6{start_after};
    auto rows = co_await db.exec("SELECT key, etag, status FROM fuel.change_files WHERE key > $1",
                                 std::move(params6));
    for (int i = 0; i < rows.rows(); ++i) {
        ledger[std::string(rows.get(i, 0))] = {std::string(rows.get(i, 1)),
                                               std::string(rows.get(i, 2))};
    }

    if (options.dry_run) co_await db.exec("BEGIN");
    std::exception_ptr failure;
    try {
        std::vector<const s3::ObjectInfo*> pending;
        for (const auto& obj : objects) {
            if (!result.newest_modified || obj.last_modified > *result.newest_modified) {
                result.newest_modified = obj.last_modified;
            }
            auto it = ledger.find(obj.key);
            if (it != ledger.end() && it->second.etag == obj.etag) continue;
            if (it != ledger.end() && it->second.status == "applied") {
                co_await report_etag_change(db, obj, it->second.etag, result);
                continue;
            }
            pending.push_back(&obj);
            if (!result.oldest_pending_modified ||
                obj.last_modified < *result.oldest_pending_modified) {
                result.oldest_pending_modified = obj.last_modified;
            }
        }
        for (const auto* obj : pending) {
            result.counts += co_await process_file(db, store, *obj, options);
        }
        if (!options.dry_run) result.oldest_pending_modified.reset();
    } catch (...) {
        failure = std::current_exception();
    }
    if (options.dry_run) co_await detail::rollback_quietly(db);
    if (failure) std::rethrow_exception(failure);
    co_return result;
}

}  // namespace ff::ingest
