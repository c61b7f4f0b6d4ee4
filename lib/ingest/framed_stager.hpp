// What the snapshot and change-file stagers share: framing the body, counting rows, keeping
// row rejects and file errors, and sending a batch to the database every batch_rows rows while
// the next one is parsed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest.hpp"
#include "ingest/ingest_db.hpp"
#include "ingest/storage.hpp"
#include "parse/json_framer.hpp"

namespace ff::ingest::detail {

// A batch is sent by its own coroutine on the same executor while the caller goes on parsing, so
// the database's work on batch k (look-ups, COPY) overlaps the client's parse of batch k+1; at
// most one batch is in flight, and the connection only ever runs that batch's statements.
// Whoever owns a stager must co_await drain() before dropping it on an error path, so no send
// outlives it (finish() drains on the normal path).
class FramedStager {
  public:
    virtual ~FramedStager() = default;
    FramedStager(const FramedStager&) = delete;
    FramedStager& operator=(const FramedStager&) = delete;

    // One chunk of the body: framed and parsed; a full batch starts being sent. A file-level
    // problem is remembered (file_error()) and the rest of the body is ignored. Rethrows a
    // failure of the batch in flight.
    boost::asio::awaitable<void> feed(std::string_view chunk);
    // End of body: checks the document is complete, then sends the last batch and waits for all.
    boost::asio::awaitable<void> finish();
    // Waits for the batch in flight, ignoring its failure (the caller is failing already).
    boost::asio::awaitable<void> drain();

    const std::optional<std::string>& file_error() const { return file_error_; }
    const parse::DocumentMeta& meta() const { return framer_.meta(); }
    const Counts& counts() const { return counts_; }  // rows_read and rejected
    bool wrote_rejects() const { return wrote_rejects_; }

  protected:
    FramedStager(Storage& storage, std::string key, std::size_t batch_rows,
                 parse::DocumentKind kind);

    // Parses and stages one element (rows_read and seq are already counted).
    virtual void on_element(std::string_view element) = 0;
    // Elements staged since the last take_batch().
    virtual std::size_t staged() const = 0;
    // Moves the staged elements and rejects_ into the batch that send_batch() sends; called only
    // when no batch is in flight.
    virtual void take_batch() = 0;
    // Sends the taken batch and its rejects to the database.
    virtual boost::asio::awaitable<void> send_batch() = 0;
    // After the last batch of a complete document: what staging still needs.
    virtual boost::asio::awaitable<void> after_last_batch() { co_return; }

    // A row-level reject: counted, and kept with (the start of) its text for fuel.rejects. `id`
    // is the one its text holds, when it holds one (parse::RowReject::id); a stager that must
    // remember which ids were present (the snapshot's) adds to this and calls it.
    virtual void reject(std::optional<long long> id, std::string reason, std::string_view text);

    Storage& storage_;
    const std::string key_;
    long long seq_ = 0;  // position of the current element in the file, from 1
    Counts counts_;
    std::vector<RejectRow> rejects_;  // of the elements staged since the last take_batch()
    bool wrote_rejects_ = false;

  private:
    boost::asio::awaitable<void> wait_in_flight();
    boost::asio::awaitable<void> start_batch();

    std::size_t batch_rows_;
    parse::JsonFramer framer_;
    std::optional<std::string> file_error_;
    bool in_flight_ = false;
    std::exception_ptr in_flight_error_;
    std::optional<boost::asio::steady_timer> landed_;  // cancelled when the batch in flight ends
};

}  // namespace ff::ingest::detail
