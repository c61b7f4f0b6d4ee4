// verify's change-file checks: every change file in the bucket is in the ledger (the bucket read a
// page at a time, each page looked up by key), and the watermark is a change file's key from which
// the next poll's listing start follows.
#include <fmt/format.h>

#include <chrono>
#include <span>

#include "core/json_escape.hpp"
#include "db/connection.hpp"
#include "ingest/change_keys.hpp"
#include "ingest/change_ledger.hpp"
#include "ingest/pg_storage.hpp"
#include "ingest/verify.hpp"
#include "s3/object_store.hpp"

namespace ff::ingest::detail {
namespace {

using boost::asio::awaitable;

std::string json_text(const std::optional<std::string>& value) {
    return value ? json::quote(*value) : "null";
}

// What one listing of the bucket found, object by object against the ledger.
struct BucketTally {
    long long objects = 0, change_files = 0, in_ledger = 0, pending = 0, missing = 0;
    long long strays = 0, strays_unrecorded = 0, reuploaded = 0;
};

void tally_object(const s3::ObjectInfo& obj, const LedgerPage& ledger, const VerifyOptions& options,
                  std::chrono::system_clock::time_point now, BucketTally& t, CheckResult& check) {
    ++t.objects;
    const auto entry = ledger.find(obj.key);
    if (!is_change_file(obj.key, options.prefix)) {
        ++t.strays;
        if (entry == ledger.end()) ++t.strays_unrecorded;
        return;
    }
    ++t.change_files;
    if (entry != ledger.end() && entry->second.etag == obj.etag) {
        ++t.in_ledger;
    } else if (entry != ledger.end() && entry->second.status == "applied") {
        ++t.in_ledger;
        ++t.reuploaded;  // reported as etag_changed, never reapplied
    } else if (now - obj.last_modified < options.pending_grace) {
        ++t.pending;  // new, or a quarantined file uploaded again: the next poll takes it
    } else {
        ++t.missing;
        ++check.differing;
        if (check.differences.size() < options.limit)
            check.differences.push_back(
                {obj.key, "ledger",
                 entry == ledger.end() ? std::nullopt : std::optional(entry->second.status),
                 "applied"});
    }
}

}  // namespace

awaitable<CheckResult> verify_change_files(db::Connection& db, s3::ObjectStore* store,
                                           const VerifyOptions& options) {
    CheckResult check;
    check.name = "change_files";
    auto counts = co_await db.exec(
        "SELECT count(*) FILTER (WHERE status = 'applied'), "
        "count(*) FILTER (WHERE status = 'quarantined') FROM fuel.change_files");
    const long long applied = counts.get_int(0, 0), quarantined = counts.get_int(0, 1);
    check.facts = {{"ledger_applied", std::to_string(applied)},
                   {"ledger_quarantined", std::to_string(quarantined)}};
    if (!store) {
        check.summary = fmt::format("ledger: {} applied, {} quarantined; bucket not listed",
                                    applied, quarantined);
        check.notes.push_back(
            "the bucket was not listed (no object store configured): set RUSTFS_ENDPOINT and its "
            "keys, FUEL_SOURCE_DIR, or --source-dir");
        co_return check;
    }
    BucketTally t;
    const auto now = std::chrono::system_clock::now();
    const std::string prefix = options.prefix + "changes/";
    PgStorage storage(db);
    const s3::PageConsumer consume = [&](std::span<const s3::ObjectInfo> page) -> awaitable<void> {
        const auto ledger = co_await ledger_page(storage, page);
        for (const auto& obj : page) tally_object(obj, ledger, options, now, t, check);
    };
    co_await store->list_pages(prefix, std::string(), consume);
    check.summary = fmt::format(
        "{} change files under {}changes/: {} in the ledger, {} pending, {} missing; ledger: {} "
        "applied, {} quarantined",
        t.change_files, options.prefix, t.in_ledger, t.pending, t.missing, applied, quarantined);
    check.facts.insert(check.facts.end(), {{"objects_listed", std::to_string(t.objects)},
                                           {"change_files", std::to_string(t.change_files)},
                                           {"in_ledger", std::to_string(t.in_ledger)},
                                           {"pending", std::to_string(t.pending)},
                                           {"missing", std::to_string(t.missing)},
                                           {"strays", std::to_string(t.strays)}});
    if (t.missing > 0)
        check.notes.push_back(fmt::format(
            "{} change file(s) older than {} s are not in the ledger: is the daemon running and "
            "leading? `fleetfuel import --changes --apply` applies them now",
            t.missing, options.pending_grace.count() / 1000));
    if (t.strays_unrecorded > 0)
        check.notes.push_back(fmt::format(
            "{} object(s) that are not change files are not recorded yet (the next full listing "
            "records them)",
            t.strays_unrecorded));
    if (t.reuploaded > 0)
        check.notes.push_back(fmt::format(
            "{} applied file(s) were uploaded again with other content (not reapplied; `fleetfuel "
            "rejects` lists them)",
            t.reuploaded));
    co_return check;
}

awaitable<CheckResult> verify_watermark(db::Connection& db, const VerifyOptions& options) {
    CheckResult check;
    check.name = "watermark";
    PgStorage storage(db);
    const auto start = co_await listing_start(storage, options.prefix, options.listing_overlap);
    // The newest change file in the ledger: newest first, strays skipped.
    std::optional<std::string> newest;
    std::string below;
    for (bool first = true; !newest; first = false) {
        // NULL the first time: every key.
        db::Params params{first ? db::Param() : db::Param(below)};
        auto rows = co_await db.exec(
            "SELECT key FROM fuel.change_files WHERE $1::text IS NULL OR key < $1 "
            "ORDER BY key DESC LIMIT 500",
            std::move(params));
        for (int i = 0; i < rows.rows() && !newest; ++i)
            if (is_change_file(rows.get(i, 0), options.prefix))
                newest = std::string(rows.get(i, 0));
        if (rows.rows() < 500) break;
        below = std::string(rows.get(rows.rows() - 1, 0));
    }
    const auto& wm = start.watermark;
    check.facts = {{"watermark", json_text(wm)},
                   {"newest_in_ledger", json_text(newest)},
                   {"listing_start", json::quote(start.start_after)}};
    if (wm && !is_change_file(*wm, options.prefix)) {
        check.differing = 1;
        check.differences.push_back({"changes", "watermark", wm, newest});
        check.notes.push_back(
            "the watermark is not a change file's key (left by a release before contract v1.1, "
            "or set by hand): the next poll replaces it with the newest change file in the ledger");
    } else if (!wm && newest) {
        check.notes.push_back(
            "the watermark is cleared (reset-watermark): the next poll lists "
            "from the first key and sets it again");
    } else if (wm && newest && *wm < *newest) {
        check.notes.push_back(
            "the watermark is below the newest change file in the ledger "
            "(reset-watermark): the next poll lists from there and moves it up");
    }
    check.summary = fmt::format("{}; the next poll lists after {}", wm ? *wm : "(none)",
                                start.start_after.empty() ? "(the first key)" : start.start_after);
    co_return check;
}

}  // namespace ff::ingest::detail
