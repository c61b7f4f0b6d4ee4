// What fuel.records stores for the rows of a snapshot batch: looked up by id list, or, while the
// snapshot's ids ascend, by id range, which also finds the stored rows the snapshot lacks.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ff::ingest {
class Storage;
}

namespace ff::ingest::detail {

class StoredLookup {
  public:
    struct Stored {
        std::string hash;  // content_hash in hex
        bool live;
    };

    explicit StoredLookup(Storage& storage) : storage_(storage) {}

    // Forgets the previous batch's rows (the live count goes on).
    void clear() { stored_.clear(); }
    const Stored* find(long long id) const;

    // The stored rows of `ids`, in any order.
    boost::asio::awaitable<void> by_ids(const std::vector<long long>& ids);

    // One page of the stored rows with an id in [from, to]; `ids` are the snapshot's ids in that
    // range, ascending. Live rows whose id is not among them are appended to `gone` (COPY text, one
    // id a line) and every live row is counted in live(). Returns where the next page starts, or
    // nullopt when the range is done. Pages keep a gap of a million stored ids from becoming one
    // result in memory.
    boost::asio::awaitable<std::optional<long long>> by_range(long long from, long long to,
                                                              const std::vector<long long>& ids,
                                                              std::string& gone);

    // Live stored rows seen by by_range so far.
    long long live() const { return live_; }

  private:
    Storage& storage_;
    std::unordered_map<long long, Stored> stored_;
    long long live_ = 0;
};

}  // namespace ff::ingest::detail
