// Streams a snapshot's rows into the transaction's staging tables: every (id, seq) into
// ingest_snap_seen, and only the rows that may change something into ingest_snap_rows.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "ingest/json_framer.hpp"
#include "ingest/row_parser.hpp"

namespace ff::ingest::detail {

class SnapshotStager {
  public:
    SnapshotStager(db::Connection& db, std::string key, std::size_t batch_rows);

    // One chunk of the body: framed, parsed, and flushed to the database every batch_rows rows.
    // A file-level problem is remembered (file_error()) and the rest of the body is ignored.
    boost::asio::awaitable<void> feed(std::string_view chunk);
    // End of body: flushes the last batch and checks the document is complete.
    boost::asio::awaitable<void> finish();

    const std::optional<std::string>& file_error() const { return file_error_; }
    const DocumentMeta& meta() const { return framer_.meta(); }
    const Counts& counts() const { return counts_; }  // rows_read and rejected
    bool wrote_rejects() const { return wrote_rejects_; }

  private:
    struct Pending {
        long long seq;
        ParsedRow row;
    };
    void on_element(std::string_view element);
    void on_oversize(std::string_view first_bytes, std::string_view reason);
    boost::asio::awaitable<void> flush();

    db::Connection& db_;
    std::string key_;
    std::size_t batch_rows_;
    JsonFramer framer_;
    std::optional<std::string> file_error_;
    Counts counts_;
    long long seq_ = 0;
    std::vector<Pending> pending_;
    std::vector<RejectRow> rejects_;
    bool wrote_rejects_ = false;
};

// True when a source deleted_at value counts as set (the same rule as fuel.ingest_is_set).
bool deleted_at_is_set(const std::optional<std::string>& value);

}  // namespace ff::ingest::detail
