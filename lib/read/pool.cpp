// The read side's connection pool: lazy connects, waiters woken by timer cancellation.
#include "read/pool.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ff::read {

namespace net = boost::asio;

ConnectionPool::Lease::~Lease() {
    if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

ConnectionPool::ConnectionPool(net::any_io_executor executor, db::ConnectOptions options,
                               std::size_t size)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      size_(std::max<std::size_t>(1, size)) {}

net::awaitable<ConnectionPool::Lease> ConnectionPool::acquire(std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        while (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            if (conn->usable()) co_return Lease(shared_from_this(), std::move(conn));
            --open_;  // broken while idle (server restart): drop it and look again
        }
        if (open_ < size_) {
            ++open_;
            auto conn = std::make_unique<db::Connection>(executor_);
            // Counted before the connect so concurrent requests do not overshoot the size; a
            // failed connect gives its slot back and lets a waiter try.
            std::exception_ptr failed;
            try {
                co_await conn->connect(options_);
            } catch (...) {
                failed = std::current_exception();
            }
            if (failed) {
                --open_;
                wake_one();
                std::rethrow_exception(failed);
            }
            co_return Lease(shared_from_this(), std::move(conn));
        }
        auto timer = std::make_shared<net::steady_timer>(executor_, deadline);
        waiters_.push_back(timer);
        auto [ec] = co_await timer->async_wait(net::as_tuple(net::use_awaitable));
        std::erase(waiters_, timer);
        if (!ec) throw PoolTimeout("no analytics database connection became free in time");
    }
}

void ConnectionPool::give_back(std::unique_ptr<db::Connection> conn) {
    if (conn->usable()) {
        idle_.push_back(std::move(conn));
    } else {
        --open_;  // dropped here; the next acquire opens a fresh one
    }
    wake_one();
}

void ConnectionPool::wake_one() {
    if (waiters_.empty()) return;
    auto timer = waiters_.front();
    waiters_.pop_front();
    timer->cancel();
}

}  // namespace ff::read
