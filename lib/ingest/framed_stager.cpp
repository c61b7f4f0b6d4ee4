// Framing, counting and pipelined batching shared by the snapshot and change-file stagers.
#include "ingest/framed_stager.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ff::ingest::detail {

namespace asio = boost::asio;

FramedStager::FramedStager(Storage& storage, std::string key, std::size_t batch_rows,
                           parse::DocumentKind kind)
    : storage_(storage), key_(std::move(key)), batch_rows_(batch_rows), framer_(kind) {}

void FramedStager::reject(std::optional<long long> id, std::string reason, std::string_view text) {
    ++counts_.rejected;
    rejects_.push_back({"row", id, std::move(reason), clean_text(text)});
}

asio::awaitable<void> FramedStager::wait_in_flight() {
    while (in_flight_) {
        landed_->expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;  // operation_aborted: the batch landed
        co_await landed_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (auto error = std::exchange(in_flight_error_, nullptr)) std::rethrow_exception(error);
}

asio::awaitable<void> FramedStager::start_batch() {
    co_await wait_in_flight();
    take_batch();
    auto executor = co_await asio::this_coro::executor;
    if (!landed_) landed_.emplace(executor);
    in_flight_ = true;
    asio::co_spawn(executor, send_batch(), [this](std::exception_ptr error) {
        in_flight_error_ = error;
        in_flight_ = false;
        landed_->cancel();
    });
}

asio::awaitable<void> FramedStager::feed(std::string_view chunk) {
    if (file_error_) co_return;
    try {
        framer_.feed(
            chunk,
            [this](std::string_view element) {
                ++counts_.rows_read;
                ++seq_;
                on_element(element);
            },
            [this](std::string_view first_bytes, std::string_view reason,
                   std::optional<long long> id) {
                ++counts_.rows_read;
                ++seq_;
                reject(id, std::string(reason), first_bytes);
            });
    } catch (const parse::FileError& e) {
        file_error_ = e.what();
        co_return;
    }
    if (staged() >= batch_rows_) co_await start_batch();
    // A store that reads without suspending (a local file) would otherwise starve the batch in
    // flight until the next one is full.
    if (in_flight_) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

asio::awaitable<void> FramedStager::finish() {
    co_await wait_in_flight();
    if (!file_error_) {
        try {
            framer_.finish();
        } catch (const parse::FileError& e) {
            file_error_ = e.what();
        }
    }
    if (file_error_) co_return;
    take_batch();
    co_await send_batch();
    co_await after_last_batch();
}

asio::awaitable<void> FramedStager::drain() {
    try {
        co_await wait_in_flight();
    } catch (...) {
        // Already failing: the caller reports its own error and rolls back.
    }
}

}  // namespace ff::ingest::detail
