// Streams a snapshot's rows into the transaction's staging tables: every (id, seq) into
// ingest_snap_seen, and only the rows that may change something into ingest_snap_rows.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/framed_stager.hpp"
#include "ingest/row_parser.hpp"

namespace ff::ingest::detail {

class SnapshotStager final : public FramedStager {
  public:
    // `table_empty`: fuel.records holds no row in this transaction, so every row ships without
    // asking the database what it stores (a first load).
    SnapshotStager(db::Connection& db, std::string key, std::size_t batch_rows, bool table_empty);

    // Every staged row's id was greater than the one staged before it: no id repeats.
    bool ids_ascending() const { return ids_ascending_; }

  private:
    struct Pending {
        long long seq;
        ParsedRow row;
    };
    struct Stored {
        std::string hash;
        bool live;
    };
    // One batch: parsed rows waiting for the look-up of what is stored, or, on a first load, the
    // COPY text itself, written while parsing so that sending it is only I/O.
    struct Batch {
        std::size_t elements = 0;
        std::vector<Pending> rows;
        std::string seen_copy, rows_copy;
        std::vector<RejectRow> rejects;
    };
    void on_element(std::string_view element) override;
    std::size_t staged() const override { return pending_.elements; }
    void take_batch() override;
    boost::asio::awaitable<void> send_batch() override;
    boost::asio::awaitable<void> look_up_stored();
    // Appends the rows of batch_ whose stored hash or liveness differs to its COPY text.
    void write_changed_rows();

    const bool table_empty_;
    bool ids_ascending_ = true;
    std::optional<long long> last_id_;
    Batch pending_;                                 // parsed since the last take_batch()
    Batch batch_;                                   // being sent
    std::unordered_map<long long, Stored> stored_;  // of batch_'s ids
};

}  // namespace ff::ingest::detail
