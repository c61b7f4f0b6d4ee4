// The change-file pipeline: list <prefix>changes/ one page at a time (a recent listing from just
// below the watermark, or a full one), let the ledger decide per page what is new, and apply each
// new file in key order in its own transaction (data, ledger row and watermark move together).
// Objects that are not change files are recorded once and never applied. A dry run is one
// transaction with a savepoint per file, rolled back at the end.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <vector>

#include "core/time_format.hpp"
#include "db/connection.hpp"
#include "ingest/change_keys.hpp"
#include "ingest/change_ledger.hpp"
#include "ingest/change_stager.hpp"
#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "s3/object_store.hpp"

namespace ff::ingest {

namespace {

using boost::asio::awaitable;
using TimePoint = std::chrono::system_clock::time_point;

void keep_min(std::optional<TimePoint>& slot, TimePoint t) {
    if (!slot || t < *slot) slot = t;
}
void keep_max(std::optional<TimePoint>& slot, TimePoint t) {
    if (!slot || t > *slot) slot = t;
}

std::optional<std::string> not_applicable(const s3::ObjectInfo& obj) {
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
        co_await detail::record_file(db, obj, etag, counts, quarantine.value_or(""));
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

// One run over a listing: each listed object against the ledger, page by page, in key order.
class ChangesRun {
  public:
    ChangesRun(db::Connection& db, s3::ObjectStore& store, const IngestOptions& options,
               const detail::ListingStart& start)
        : db_(db), store_(store), options_(options), start_(start) {}

    awaitable<void> page(std::span<const s3::ObjectInfo> listed) {
        // Servers send pages in key order; sorting a copy costs little and the rule "files in key
        // order" then does not rest on it.
        std::vector<s3::ObjectInfo> page(listed.begin(), listed.end());
        std::sort(page.begin(), page.end(),
                  [](const auto& a, const auto& b) { return a.key < b.key; });
        const auto ledger = co_await detail::ledger_page(db_, page);
        for (const auto& obj : page) co_await object(obj, ledger);
    }

    ChangesResult result;
    std::optional<std::string> top;  // the greatest change-file key found applied or quarantined

  private:
    awaitable<void> object(const s3::ObjectInfo& obj, const detail::LedgerPage& ledger) {
        ++result.objects_listed;
        const auto entry = ledger.find(obj.key);
        const bool known = entry != ledger.end();
        if (!is_change_file(obj.key, options_.prefix)) {
            if (!known) co_await stray(obj);
            co_return;
        }
        keep_max(result.newest_modified, obj.last_modified);
        if (known && (entry->second.etag == obj.etag || entry->second.status == "applied")) {
            if (entry->second.etag != obj.etag) {
                auto warning = co_await detail::report_etag_change(db_, obj, entry->second.etag);
                if (warning) {
                    spdlog::warn("changes: {}", *warning);
                    result.warnings.push_back("changes: " + *warning);
                }
            }
            top = obj.key;
            co_return;
        }
        keep_min(result.oldest_pending_modified, obj.last_modified);
        const Counts counts = co_await process_file(db_, store_, obj, options_);
        top = obj.key;
        result.counts += counts;
        if (counts.files_applied > 0 && !start_.start_after.empty() &&
            obj.key <= start_.start_after) {
            ++result.late_files;
            keep_min(result.oldest_late_modified, obj.last_modified);
            spdlog::info("changes: {} landed late (Last-Modified {}, key at or below {}): applied",
                         obj.key, time::rfc3339_millis(obj.last_modified), start_.start_after);
        }
    }

    awaitable<void> stray(const s3::ObjectInfo& obj) {
        const std::string reason = stray_reason(obj.key, options_.prefix);
        spdlog::warn("changes: {}: {}", obj.key, reason);
        co_await detail::record_stray(db_, obj, reason);
        ++result.counts.files_quarantined;
    }

    db::Connection& db_;
    s3::ObjectStore& store_;
    const IngestOptions& options_;
    const detail::ListingStart& start_;
};

}  // namespace

awaitable<std::string> recent_listing_start(db::Connection& db, const IngestOptions& options) {
    co_return (co_await detail::listing_start(db, options.prefix, options.listing_overlap))
        .start_after;
}

awaitable<ChangesResult> run_changes(db::Connection& db, s3::ObjectStore& store,
                                     const IngestOptions& options) {
    const auto start = co_await detail::listing_start(db, options.prefix, options.listing_overlap);
    const bool full = options.listing == Listing::full;
    ChangesRun run(db, store, options, start);
    run.result.full_listing = full;
    run.result.listing_start = start.start_after;

    if (options.dry_run) co_await db.exec("BEGIN");
    std::exception_ptr failure;
    try {
        const std::string prefix = options.prefix + "changes/";
        const std::string from = full ? std::string() : start.start_after;
        const s3::PageConsumer consume =
            [&run](std::span<const s3::ObjectInfo> page) -> awaitable<void> {
            co_await run.page(page);
        };
        co_await store.list_pages(prefix, from, consume);
        if (!options.dry_run) {
            if (run.top) co_await detail::settle_watermark(db, start, options.prefix, *run.top);
            run.result.oldest_pending_modified.reset();
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (options.dry_run) co_await detail::rollback_quietly(db);
    if (failure) std::rethrow_exception(failure);
    if (full) {
        spdlog::debug("changes: full listing: {} objects, {} late files", run.result.objects_listed,
                      run.result.late_files);
    }
    co_return run.result;
}

}  // namespace ff::ingest
