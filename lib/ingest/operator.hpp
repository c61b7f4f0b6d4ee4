// What the operator commands decide (requeue, reset-watermark), over the storage seam, so their
// rules are the engine's and testable without a database; daemon/cmd_operator.cpp only prints.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/ingest.hpp"
#include "ingest/storage.hpp"

namespace ff::ingest {

// The full change-file key for KEY as listed by `fleetfuel rejects`, or relative to the prefix or
// to <prefix>changes/: a watermark outside <prefix>changes/ would silently mean "list from the
// beginning" (or skip everything), never what the operator asked for.
std::string full_change_key(std::string_view prefix, const std::string& key);

enum class RequeueVerdict {
    requeued,           // its ETag is cleared: the next listing that sees it retries it
    would_requeue,      // a dry run
    not_in_ledger,      // no such key
    not_a_change_file,  // a stray: never applied, nothing to retry
    applied,            // applied files are never reapplied
};
struct Requeue {
    RequeueVerdict verdict;
    std::string key;  // the ledger's key when found, else as given
};
// Requeues a quarantined change file named as the operator wrote it (full_change_key's forms,
// the exact key first). Only with `apply` is anything written.
boost::asio::awaitable<Requeue> requeue(Storage& storage, std::string_view prefix,
                                        const std::string& key, bool apply);

struct WatermarkMove {
    std::optional<std::string> from;  // as stored
    std::optional<std::string> to;
    bool applied = false;
    std::string next_listing_after;  // where the next poll lists from (after apply; "" = first)
};
// Moves the changes watermark to `to` (nullopt: none, list from the first key); with `apply`,
// also says where the next poll lists from.
boost::asio::awaitable<WatermarkMove> reset_watermark(Storage& storage,
                                                      const IngestOptions& options,
                                                      std::optional<std::string> to, bool apply);

}  // namespace ff::ingest
