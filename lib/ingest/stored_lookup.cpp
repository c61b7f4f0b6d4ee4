// Look-ups of stored hashes and liveness for the snapshot stager.
#include "ingest/stored_lookup.hpp"

#include <algorithm>
#include <limits>

#include "db/connection.hpp"
#include "ingest/ingest_db.hpp"

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
    db::Params params1{bigint_array(ids)};
    auto res = co_await db_.exec(
        "SELECT id, encode(content_hash, 'hex'), deleted_at IS NULL FROM fuel.records "
        "WHERE id = ANY($1::bigint[])",
        std::move(params1));
    for (int i = 0; i < res.rows(); ++i) {
        stored_.emplace(res.get_int(i, 0),
                        Stored{std::string(res.get(i, 1)), res.get(i, 2) == "t"});
    }
}

boost::asio::awaitable<std::optional<long long>> StoredLookup::by_range(
    long long from, long long to, const std::vector<long long>& ids, std::string& gone) {
    db::Params params2{std::to_string(from), std::to_string(to), std::to_string(kPageRows)};
    auto res = co_await db_.exec(
        "SELECT id, encode(content_hash, 'hex'), deleted_at IS NULL FROM fuel.records "
        "WHERE id BETWEEN $1::bigint AND $2::bigint ORDER BY id LIMIT $3::integer",
        std::move(params2));
    // Both ascend: one merge finds which stored ids the snapshot has.
    auto next = std::lower_bound(ids.begin(), ids.end(), from);
    long long last = from;
    for (int i = 0; i < res.rows(); ++i) {
        last = res.get_int(i, 0);
        const bool live = res.get(i, 2) == "t";
        if (live) ++live_;
        while (next != ids.end() && *next < last) ++next;
        if (next != ids.end() && *next == last) {
            stored_.emplace(last, Stored{std::string(res.get(i, 1)), live});
        } else if (live) {
            gone += std::to_string(last);
            gone += '\n';
        }
    }
    if (res.rows() < kPageRows || last == std::numeric_limits<long long>::max() || last >= to)
        co_return std::nullopt;
    co_return last + 1;
}

}  // namespace ff::ingest::detail
