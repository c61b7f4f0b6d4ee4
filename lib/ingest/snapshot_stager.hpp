// Streams a snapshot's rows into the transaction's staging tables: every (id, seq) into
// ingest_snap_seen, and only the rows that may change something into ingest_snap_rows.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/framed_stager.hpp"
#include "ingest/row_parser.hpp"

namespace ff::ingest::detail {

class SnapshotStager final : public FramedStager {
  public:
    SnapshotStager(db::Connection& db, std::string key, std::size_t batch_rows);

  private:
    struct Pending {
        long long seq;
        ParsedRow row;
    };
    void on_element(std::string_view element) override;
    std::size_t staged() const override { return pending_.size(); }
    boost::asio::awaitable<void> flush() override;

    std::vector<Pending> pending_;
};

// True when a source deleted_at value counts as set (the same rule as fuel.ingest_is_set).
bool deleted_at_is_set(const std::optional<std::string>& value);

}  // namespace ff::ingest::detail
