// Streams one change file into the staging table, every change in file order.
#include "ingest/change_stager.hpp"

#include <variant>

#include "parse/row_parser.hpp"

namespace ff::ingest::detail {

ChangeStager::ChangeStager(Storage& storage, std::string key, std::size_t batch_rows)
    : FramedStager(storage, std::move(key), batch_rows, parse::DocumentKind::changes) {}

void ChangeStager::on_element(std::string_view element) {
    auto parsed = parse::parse_change(element);
    if (auto* rejected = std::get_if<parse::RowReject>(&parsed)) {
        reject(rejected->id, rejected->reason, element);
        return;
    }
    const auto& change = std::get<parse::ParsedChange>(parsed);
    copy_field(data_, std::to_string(seq_));
    copy_field(data_, change.op);
    copy_field(data_, std::to_string(change.id));
    copy_opt(data_, change.changed_at);
    // Read here for the usual shapes, so the apply does not parse every change's time in SQL.
    copy_opt(data_, change.changed_at ? parse::export_timestamp(*change.changed_at) : std::nullopt);
    if (change.row) {
        const parse::ParsedRow& row = *change.row;
        copy_field(data_, row.hash_hex);
        copy_field(data_, row.canonical);
        copy_field(data_, row.sanitised ? "t" : "f");
        copy_field(data_, parse::deleted_at_is_set(row.deleted_at) ? "t" : "f");
        copy_typed(data_, change.typed, true);
        if (row.sanitised) {
            rejects_.push_back({"sanitised", change.id, "a \\u0000 was removed from the row",
                                clean_text(element)});
        }
    } else {
        copy_null(data_);
        copy_null(data_);
        copy_field(data_, "f");
        copy_field(data_, "f");
        copy_typed(data_, std::nullopt, true);
    }
    ++staged_;
}

void ChangeStager::take_batch() {
    batch_data_.swap(data_);
    data_.clear();
    staged_ = 0;
    batch_rejects_.swap(rejects_);
    rejects_.clear();
}

boost::asio::awaitable<void> ChangeStager::send_batch() {
    co_await storage_.stage(Staging::change_rows, batch_data_);
    batch_data_.clear();
    if (!batch_rejects_.empty()) {
        co_await storage_.write_rejects("changes", key_, "", batch_rejects_);
        batch_rejects_.clear();
        wrote_rejects_ = true;
    }
}

}  // namespace ff::ingest::detail
