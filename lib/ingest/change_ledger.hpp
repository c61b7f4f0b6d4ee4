// The engine's decisions over the change-file ledger and the changes stream's watermark: what
// the ledger holds for one listed page, where a recent listing starts, when the watermark is
// settled, and when an applied file that reappeared is reported. The statements are PgStorage's.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ingest/storage.hpp"
#include "s3/object_store.hpp"

namespace ff::ingest::detail {

// The ledger rows of one listed page's keys: one look-up by primary key per page, so deciding
// what is new costs the same for 100 keys or 100 000 and never loads the whole ledger.
boost::asio::awaitable<LedgerPage> ledger_page(Storage& storage,
                                               std::span<const s3::ObjectInfo> page);

struct ListingStart {
    std::optional<std::string> watermark;  // as stored
    // A recent listing lists the keys after this one ("" = from the first key): the
    // (overlap + 1)-th newest change file in the ledger at or below the watermark, so the
    // `overlap` newest are listed again and a file that lands a little late is found at once.
    std::string start_after;
};
boost::asio::awaitable<ListingStart> listing_start(Storage& storage, std::string_view prefix,
                                                   std::size_t overlap);

// A change file's verdict, inside the transaction of its data: applied (empty `reason`) or
// quarantined. Raises the watermark to its key.
FileRecord file_record(const s3::ObjectInfo& obj, const std::string& etag, const Counts& counts,
                       const std::string& reason);

// An object under changes/ that is not a change file: one ledger row (quarantined, with the
// reason) and one reject, never the watermark. The ledger row means it is never reported again,
// whatever its ETag becomes: its name, not its content, makes it a stray.
StrayRecord stray_record(const s3::ObjectInfo& obj, const std::string& reason);

// An applied file that reappears with another ETag: recorded once per ETag in fuel.rejects.
// Returns the warning when this ETag is new, nullopt when it was reported before.
boost::asio::awaitable<std::optional<std::string>> report_etag_change(
    Storage& storage, const s3::ObjectInfo& obj, const std::string& applied_etag);

// After a listing: the watermark becomes `top` (the greatest change-file key the listing found
// applied or quarantined) when it is behind it (an operator moved it back) or is not a change
// file's key (left by an older release).
boost::asio::awaitable<void> settle_watermark(Storage& storage, const ListingStart& start,
                                              std::string_view prefix, const std::string& top);

}  // namespace ff::ingest::detail
