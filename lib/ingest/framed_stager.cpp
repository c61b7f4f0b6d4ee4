// Framing, counting and batching shared by the snapshot and change-file stagers.
#include "ingest/framed_stager.hpp"

namespace ff::ingest::detail {

FramedStager::FramedStager(db::Connection& db, std::string key, std::size_t batch_rows,
                           DocumentKind kind)
    : db_(db), key_(std::move(key)), batch_rows_(batch_rows), framer_(kind) {}

void FramedStager::reject(std::optional<long long> id, std::string reason, std::string_view text) {
    ++counts_.rejected;
    rejects_.push_back({"row", id, std::move(reason), clean_text(text)});
}

boost::asio::awaitable<void> FramedStager::feed(std::string_view chunk) {
    if (file_error_) co_return;
    try {
        framer_.feed(
            chunk,
            [this](std::string_view element) {
                ++counts_.rows_read;
                ++seq_;
                on_element(element);
            },
            [this](std::string_view first_bytes, std::string_view reason) {
                ++counts_.rows_read;
                ++seq_;
                reject(std::nullopt, std::string(reason), first_bytes);
            });
    } catch (const FileError& e) {
        file_error_ = e.what();
        co_return;
    }
    if (staged() >= batch_rows_) co_await flush();
}

boost::asio::awaitable<void> FramedStager::finish() {
    if (!file_error_) {
        try {
            framer_.finish();
        } catch (const FileError& e) {
            file_error_ = e.what();
        }
    }
    if (!file_error_) co_await flush();
}

}  // namespace ff::ingest::detail
