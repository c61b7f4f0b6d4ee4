// Streams one change file into the transaction's ingest_chg_rows staging table.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "ingest/framed_stager.hpp"

namespace ff::ingest::detail {

class ChangeStager final : public FramedStager {
  public:
    ChangeStager(db::Connection& db, std::string key, std::size_t batch_rows);

  private:
    void on_element(std::string_view element) override;
    std::size_t staged() const override { return staged_; }
    boost::asio::awaitable<void> flush() override;

    std::size_t staged_ = 0;  // rows in data_ not yet sent
    std::string data_;        // COPY text of the staged changes
};

}  // namespace ff::ingest::detail
