// Streams one change file into the transaction's ingest_chg_rows staging table.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/framed_stager.hpp"

namespace ff::ingest::detail {

class ChangeStager final : public FramedStager {
  public:
    ChangeStager(Storage& storage, std::string key, std::size_t batch_rows);

  private:
    void on_element(std::string_view element) override;
    std::size_t staged() const override { return staged_; }
    void take_batch() override;
    boost::asio::awaitable<void> send_batch() override;

    std::size_t staged_ = 0;  // rows in data_ not yet taken
    std::string data_;        // COPY text of the staged changes
    std::string batch_data_;  // being sent
    std::vector<RejectRow> batch_rejects_;
};

}  // namespace ff::ingest::detail
