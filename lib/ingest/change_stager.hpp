// Streams one change file into the transaction's ingest_chg_rows staging table.
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

class ChangeStager {
  public:
    ChangeStager(db::Connection& db, std::string key, std::size_t batch_rows);

    // One chunk of the body; a file-level problem is remembered and the rest ignored.
    boost::asio::awaitable<void> feed(std::string_view chunk);
    // End of body: flushes the last batch and checks the document is complete.
    boost::asio::awaitable<void> finish();

    const std::optional<std::string>& file_error() const { return file_error_; }
    const Counts& counts() const { return counts_; }  // rows_read and rejected
    bool wrote_rejects() const { return wrote_rejects_; }

  private:
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
    std::size_t staged_ = 0;  // rows in data_ not yet sent
    std::string data_;        // COPY text of the staged changes
    std::vector<RejectRow> rejects_;
    bool wrote_rejects_ = false;
};

}  // namespace ff::ingest::detail
