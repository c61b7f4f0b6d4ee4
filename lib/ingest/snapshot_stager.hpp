// Streams a snapshot's rows into the transaction's staging tables: every (id, seq) into
// ingest_snap_seen, and only the rows that may change something into ingest_snap_rows.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/framed_stager.hpp"
#include "ingest/stored_lookup.hpp"
#include "parse/row_parser.hpp"

namespace ff::ingest::detail {

class SnapshotStager final : public FramedStager {
  public:
    // `table_empty`: fuel.records holds no row in this transaction, so every row ships without
    // asking the database what it stores (a first load).
    SnapshotStager(Storage& storage, std::string key, std::size_t batch_rows, bool table_empty);

    // Every staged id (of a row, or of an unreadable row whose id its text holds) was greater than
    // the one staged before it: no id repeats.
    bool ids_ascending() const { return ids_ascending_; }
    // Unreadable rows whose id could not be recovered: any stored row may be one of them, so this
    // snapshot must not soft-delete rows for being absent (contract §2).
    long long unidentified() const { return unidentified_; }
    // The live rows of fuel.records, when the stager has seen every stored row (the ids ascended,
    // so each batch looked up its whole id range, and the range past the last id was read too);
    // the live ones the snapshot lacks are then staged in ingest_snap_gone. nullopt: the database
    // has to find both itself.
    std::optional<long long> stored_live() const;

  private:
    struct Pending {
        long long seq;
        parse::ParsedRow row;
    };
    // One batch: parsed rows waiting for the look-up of what is stored, or, on a first load, the
    // COPY text itself, written while parsing so that sending it is only I/O. The ids of its
    // unreadable rows go to ingest_snap_unread: present, so never missing, but not to be written.
    struct Batch {
        std::size_t elements = 0;
        std::vector<Pending> rows;
        std::vector<long long> unread_ids;
        std::optional<long long> last_id;  // of the last row or unreadable row staged
        std::string seen_copy, rows_copy, gone_copy, unread_copy;
        std::vector<RejectRow> rejects;
        // Set while the ids ascend: the batch's ids are the snapshot's ids in [from, to].
        std::optional<long long> range_from, range_to;
    };
    void on_element(std::string_view element) override;
    void reject(std::optional<long long> id, std::string reason, std::string_view text) override;
    void stage_id(long long id);
    void note_read(const parse::ParsedRow& row, std::string_view element);
    std::size_t staged() const override { return pending_.elements; }
    void take_batch() override;
    boost::asio::awaitable<void> send_batch() override;
    boost::asio::awaitable<void> after_last_batch() override;
    boost::asio::awaitable<void> look_up_stored();
    // Stages (id, seq) of every row of batch_, and the rows whose stored hash or liveness differs.
    boost::asio::awaitable<void> send_changed_rows();

    const bool table_empty_;
    bool ids_ascending_ = true;
    long long unidentified_ = 0;
    std::optional<long long> last_id_;        // of the rows parsed so far
    std::optional<long long> last_range_to_;  // where the id ranges of the batches taken end
    Batch pending_;                           // parsed since the last take_batch()
    Batch batch_;                             // being sent
    StoredLookup lookup_;
};

}  // namespace ff::ingest::detail
