// The change-file pipeline: list <prefix>changes/ one page at a time (a recent listing from just
// below the watermark, or a full one), let the ledger decide per page what is new, and apply each
// new file in key order in its own transaction (data, ledger row and watermark move together).
// Objects that are not change files are recorded once and never applied. A dry run is one
// transaction with a savepoint per file, rolled back at the end.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "core/time_format.hpp"
#include "db/connection.hpp"
#include "ingest/change_keys.hpp"
#include "ingest/change_ledger.hpp"
#include "ingest/change_stager.hpp"
#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "ingest/pg_storage.hpp"
#include "ingest/transaction.hpp"
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
awaitable<Counts> stage_and_apply(Storage& storage, s3::ObjectStore& store,
                                  const s3::ObjectInfo& obj, std::size_t batch_rows,
                                  std::string& etag, std::optional<std::string>& quarantine) {
    Counts counts;
    quarantine = not_applicable(obj);
    if (quarantine) co_return counts;
    co_await storage.begin_change_staging();
    detail::ChangeStager stager(storage, obj.key, batch_rows);
    const s3::GetResult got = co_await on_failure(
        [&] {
            return store.get(obj.key, {}, [&stager](std::string_view chunk) -> awaitable<void> {
                co_await stager.feed(chunk);
            });
        },
        [&] { return stager.drain(); });
    if (!got.info.etag.empty()) etag = got.info.etag;
    co_await stager.finish();
    if (stager.file_error()) {
        quarantine = *stager.file_error();
        co_return counts;
    }
    const detail::ApplyOutcome applied = co_await storage.apply_change_file(obj.last_modified);
    counts = applied.counts;
    counts.rows_read = stager.counts().rows_read;
    counts.rejected = stager.counts().rejected;
    if (stager.wrote_rejects()) co_await storage.set_rejects_etag(obj.key, etag);
    counts.files_applied = 1;
    co_return counts;
}

// One file, start to end: its own transaction, or a savepoint inside the dry run's transaction.
awaitable<Counts> process_file(Storage& storage, s3::ObjectStore& store, const s3::ObjectInfo& obj,
                               const IngestOptions& options) {
    const Scope scope = options.dry_run ? Scope::savepoint : Scope::transaction;
    co_return co_await in_unit(storage, scope, [&](Unit& unit) -> awaitable<Counts> {
        std::string etag = obj.etag;
        std::optional<std::string> quarantine;
        Counts counts =
            co_await stage_and_apply(storage, store, obj, options.batch_rows, etag, quarantine);
        if (quarantine) {
            // Nothing of the file applies: drop what was staged, keep only the verdict.
            co_await unit.restart();
            spdlog::warn("changes: {} quarantined: {}", obj.key, *quarantine);
            counts = Counts{};
            counts.files_quarantined = 1;
        }
        const FileRecord verdict = detail::file_record(obj, etag, counts, quarantine.value_or(""));
        co_await storage.record_file(verdict);
        co_await unit.commit();
        co_return counts;
    });
}

// One run over a listing: each listed object against the ledger, page by page, in key order.
class ChangesRun {
  public:
    ChangesRun(Storage& storage, s3::ObjectStore& store, const IngestOptions& options,
               const detail::ListingStart& start)
        : storage_(storage), store_(store), options_(options), start_(start) {}

    awaitable<void> page(std::span<const s3::ObjectInfo> listed) {
        // Servers send pages in key order; sorting a copy costs little and the rule "files in key
        // order" then does not rest on it.
        std::vector<s3::ObjectInfo> page(listed.begin(), listed.end());
        std::sort(page.begin(), page.end(),
                  [](const auto& a, const auto& b) { return a.key < b.key; });
        const auto ledger = co_await detail::ledger_page(storage_, page);
        for (const auto& obj : page) co_await object(obj, ledger);
    }

    ChangesResult result;
    std::optional<std::string> top;  // the greatest change-file key found applied or quarantined

  private:
    awaitable<void> object(const s3::ObjectInfo& obj, const LedgerPage& ledger) {
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
                auto warning =
                    co_await detail::report_etag_change(storage_, obj, entry->second.etag);
                if (warning) {
                    spdlog::warn("changes: {}", *warning);
                    result.warnings.push_back("changes: " + *warning);
                }
            }
            top = obj.key;
            co_return;
        }
        keep_min(result.oldest_pending_modified, obj.last_modified);
        const Counts counts = co_await process_file(storage_, store_, obj, options_);
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
        // Counted once: a stray seen again is in the ledger and never reaches here.
        const StrayRecord record = detail::stray_record(obj, reason);
        co_await storage_.record_stray(record);
        ++result.counts.files_quarantined;
    }

    Storage& storage_;
    s3::ObjectStore& store_;
    const IngestOptions& options_;
    const detail::ListingStart& start_;
};

}  // namespace

awaitable<std::string> recent_listing_start(Storage& storage, const IngestOptions& options) {
    co_return (co_await detail::listing_start(storage, options.prefix, options.listing_overlap))
        .start_after;
}

awaitable<ChangesResult> run_changes(Storage& storage, s3::ObjectStore& store,
                                     const IngestOptions& options) {
    const auto start =
        co_await detail::listing_start(storage, options.prefix, options.listing_overlap);
    const bool full = options.listing == Listing::full;
    ChangesRun run(storage, store, options, start);
    run.result.full_listing = full;
    run.result.listing_start = start.start_after;

    auto list_and_apply = [&]() -> awaitable<void> {
        const std::string prefix = options.prefix + "changes/";
        const std::string from = full ? std::string() : start.start_after;
        const s3::PageConsumer consume =
            [&run](std::span<const s3::ObjectInfo> page) -> awaitable<void> {
            co_await run.page(page);
        };
        co_await store.list_pages(prefix, from, consume);
    };
    if (options.dry_run) {
        // One transaction, a savepoint per file, all rolled back: nothing moves.
        co_await in_unit(storage, Scope::transaction,
                         [&](Unit&) -> awaitable<void> { co_await list_and_apply(); });
    } else {
        co_await list_and_apply();
        if (run.top) co_await detail::settle_watermark(storage, start, options.prefix, *run.top);
        run.result.oldest_pending_modified.reset();
    }
    if (full) {
        spdlog::debug("changes: full listing: {} objects, {} late files", run.result.objects_listed,
                      run.result.late_files);
    }
    co_return run.result;
}

awaitable<std::string> recent_listing_start(db::Connection& db, const IngestOptions& options) {
    PgStorage storage(db);
    co_return co_await recent_listing_start(storage, options);
}

awaitable<ChangesResult> run_changes(db::Connection& db, s3::ObjectStore& store,
                                     const IngestOptions& options) {
    PgStorage storage(db);
    co_return co_await run_changes(storage, store, options);
}

}  // namespace ff::ingest
