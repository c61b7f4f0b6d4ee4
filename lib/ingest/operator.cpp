// The operator commands' decisions over the storage seam (operator.hpp).
#include "ingest/operator.hpp"

#include <vector>

#include "ingest/change_keys.hpp"

namespace ff::ingest {

using boost::asio::awaitable;

std::string full_change_key(std::string_view prefix, const std::string& key) {
    if (key.rfind(prefix, 0) == 0) return key;
    if (key.rfind("changes/", 0) == 0) return std::string(prefix) + key;
    return std::string(prefix) + "changes/" + key;
}

awaitable<Requeue> requeue(Storage& storage, std::string_view prefix, const std::string& key,
                           bool apply) {
    // As written first, then relative to the prefix, then to <prefix>changes/.
    const std::vector<std::string> candidates{key, std::string(prefix) + key,
                                              std::string(prefix) + "changes/" + key};
    const std::vector<std::string_view> keys(candidates.begin(), candidates.end());
    const LedgerPage found = co_await storage.ledger_page(keys);
    for (const auto& candidate : candidates) {
        const auto entry = found.find(candidate);
        if (entry == found.end()) continue;
        if (!is_change_file(candidate, prefix))
            co_return Requeue{RequeueVerdict::not_a_change_file, candidate};
        if (entry->second.status != "quarantined")
            co_return Requeue{RequeueVerdict::applied, candidate};
        if (!apply) co_return Requeue{RequeueVerdict::would_requeue, candidate};
        co_await storage.requeue(candidate);
        co_return Requeue{RequeueVerdict::requeued, candidate};
    }
    co_return Requeue{RequeueVerdict::not_in_ledger, key};
}

awaitable<WatermarkMove> reset_watermark(Storage& storage, const IngestOptions& options,
                                         std::optional<std::string> to, bool apply) {
    WatermarkMove move;
    move.from = co_await storage.watermark();
    move.to = std::move(to);
    if (!apply) co_return move;
    co_await storage.set_watermark(move.to);
    move.applied = true;
    move.next_listing_after = co_await recent_listing_start(storage, options);
    co_return move;
}

}  // namespace ff::ingest
