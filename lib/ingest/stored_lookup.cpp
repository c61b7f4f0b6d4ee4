// Look-ups of stored hashes and liveness for the snapshot stager.
#include "ingest/stored_lookup.hpp"

#include <algorithm>
#include <limits>

#include "ingest/storage.hpp"

namespace ff::ingest::detail {

namespace {

constexpr int kPageRows = 10'000;

}  // namespace

const StoredLookup::Stored* StoredLookup::find(long long id) const {
    auto it = stored_.find(id);
    return it == stored_.end() ? nullptr : &it->second;
}

boost::asio::awaitable<void> StoredLookup::by_ids(const std::vector<long long>& ids) {
    if (ids.empty()) co_return;
    auto rows = co_await storage_.stored_by_ids(ids);
    for (auto& row : rows) stored_.emplace(row.id, Stored{std::move(row.hash), row.live});
}

boost::asio::awaitable<std::optional<long long>> StoredLookup::by_range(
    long long from, long long to, const std::vector<long long>& ids, std::string& gone) {
    auto rows = co_await storage_.stored_in_range(from, to, kPageRows);
    // Both ascend: one merge finds which stored ids the snapshot has.
    auto next = std::lower_bound(ids.begin(), ids.end(), from);
    long long last = from;
    for (auto& row : rows) {
        last = row.id;
        const bool live = row.live;
        if (live) ++live_;
        while (next != ids.end() && *next < last) ++next;
        if (next != ids.end() && *next == last) {
            stored_.emplace(last, Stored{std::move(row.hash), live});
        } else if (live) {
            gone += std::to_string(last);
            gone += '\n';
        }
    }
    if (rows.size() < static_cast<std::size_t>(kPageRows) ||
        last == std::numeric_limits<long long>::max() || last >= to)
        co_return std::nullopt;
    co_return last + 1;
}

}  // namespace ff::ingest::detail
