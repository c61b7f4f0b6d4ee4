// The engine's decisions over the change-file ledger and the watermark (change_ledger.hpp).
#include "ingest/change_ledger.hpp"

#include <vector>

#include "ingest/change_keys.hpp"

namespace ff::ingest::detail {

using boost::asio::awaitable;

awaitable<LedgerPage> ledger_page(Storage& storage, std::span<const s3::ObjectInfo> page) {
    std::vector<std::string_view> keys;
    keys.reserve(page.size());
    for (const auto& obj : page) keys.push_back(obj.key);
    co_return co_await storage.ledger_page(keys);
}

// Walks the ledger down from the watermark, newest first, counting change files only: strays
// recorded there (and a watermark an older release set to one) never decide where listing starts.
awaitable<ListingStart> listing_start(Storage& storage, std::string_view prefix,
                                      std::size_t overlap) {
    ListingStart out;
    out.watermark = co_await storage.watermark();
    if (!out.watermark) co_return out;  // nothing yet: list everything
    constexpr int batch = 500;
    std::string below = *out.watermark;
    bool inclusive = true;
    std::size_t seen = 0;
    for (;;) {
        const auto keys = co_await storage.ledger_keys_below(below, inclusive, batch);
        for (const auto& key : keys) {
            if (!is_change_file(key, prefix)) continue;
            if (++seen == overlap + 1) {
                out.start_after = key;
                co_return out;
            }
        }
        if (keys.size() < static_cast<std::size_t>(batch))
            co_return out;  // fewer files than that: list from the first
        below = keys.back();
        inclusive = false;
    }
}

FileRecord file_record(const s3::ObjectInfo& obj, const std::string& etag, const Counts& counts,
                       const std::string& reason) {
    return FileRecord{obj.key, etag, obj.last_modified, obj.size, counts, reason};
}

StrayRecord stray_record(const s3::ObjectInfo& obj, const std::string& reason) {
    return StrayRecord{obj.key, obj.etag, obj.last_modified, obj.size, reason};
}

awaitable<std::optional<std::string>> report_etag_change(Storage& storage,
                                                         const s3::ObjectInfo& obj,
                                                         const std::string& applied_etag) {
    const std::string reason =
        "already applied with ETag " + applied_etag + "; the new content is not applied";
    const bool fresh = co_await storage.record_etag_change(obj.key, obj.etag, reason);
    if (!fresh) co_return std::nullopt;
    co_return obj.key + " was already applied (ETag " + applied_etag +
        ") and reappeared with ETag " + obj.etag + ": not reapplied";
}

awaitable<void> settle_watermark(Storage& storage, const ListingStart& start,
                                 std::string_view prefix, const std::string& top) {
    const auto& current = start.watermark;
    const bool behind_or_stray = !current || !is_change_file(*current, prefix) || *current < top;
    if (!behind_or_stray) co_return;
    co_await storage.set_watermark(top);
}

}  // namespace ff::ingest::detail
