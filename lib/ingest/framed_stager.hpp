// What the snapshot and change-file stagers share: framing the body, counting rows, keeping
// row rejects and file errors, and flushing a batch to the database every batch_rows rows.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "ingest/json_framer.hpp"

namespace ff::ingest::detail {

class FramedStager {
  public:
    virtual ~FramedStager() = default;
    FramedStager(const FramedStager&) = delete;
    FramedStager& operator=(const FramedStager&) = delete;

    // One chunk of the body: framed, parsed, and flushed to the database every batch_rows rows.
    // A file-level problem is remembered (file_error()) and the rest of the body is ignored.
    boost::asio::awaitable<void> feed(std::string_view chunk);
    // End of body: checks the document is complete, then flushes the last batch.
    boost::asio::awaitable<void> finish();

    const std::optional<std::string>& file_error() const { return file_error_; }
    const DocumentMeta& meta() const { return framer_.meta(); }
    const Counts& counts() const { return counts_; }  // rows_read and rejected
    bool wrote_rejects() const { return wrote_rejects_; }

  protected:
    FramedStager(db::Connection& db, std::string key, std::size_t batch_rows, DocumentKind kind);

    // Parses and stages one element (rows_read and seq are already counted).
    virtual void on_element(std::string_view element) = 0;
    // Elements staged since the last flush.
    virtual std::size_t staged() const = 0;
    // Sends the staged batch and the collected rejects to the database.
    virtual boost::asio::awaitable<void> flush() = 0;

    // A row-level reject: counted, and kept with (the start of) its text for fuel.rejects.
    void reject(std::optional<long long> id, std::string reason, std::string_view text);

    db::Connection& db_;
    const std::string key_;
    long long seq_ = 0;  // position of the current element in the file, from 1
    Counts counts_;
    std::vector<RejectRow> rejects_;
    bool wrote_rejects_ = false;

  private:
    std::size_t batch_rows_;
    JsonFramer framer_;
    std::optional<std::string> file_error_;
};

}  // namespace ff::ingest::detail
