// The read side's connection pool: lazy connects, a bounded queue of waiters woken in order.
#include "read/pool.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace ff::read {

namespace net = boost::asio;

ConnectionPool::Lease::~Lease() {
    if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

ConnectionPool::ConnectionPool(net::any_io_executor executor, db::ConnectOptions options,
                               std::size_t size, std::size_t queue_limit)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      size_(std::max<std::size_t>(1, size)),
      queue_limit_(queue_limit) {}

net::awaitable<ConnectionPool::Lease> ConnectionPool::acquire(Clock::time_point deadline) {
    for (;;) {
        while (!idle_.empty()) {
            auto conn = std::move(idle_.back());
            idle_.pop_back();
            if (conn->usable()) co_return Lease(shared_from_this(), std::move(conn));
            --open_;  // broken while idle (server restart): drop it and look again
        }
        if (open_ < size_) co_return co_await open_new(deadline);
        if (waiters_.size() >= queue_limit_)
            throw PoolBusy("every analytics database connection is busy and the queue is full");

        // Wait in line until a connection is given back or the deadline passes
        auto waiter = std::make_shared<Waiter>(executor_, deadline);
        waiters_.push_back(waiter);
        auto [ec] = co_await waiter->timer.async_wait(net::as_tuple(net::use_awaitable));
        std::erase(waiters_, waiter);
        const auto cancelled = (co_await net::this_coro::cancellation_state).cancelled();
        const bool gave_up = cancelled != net::cancellation_type::none;
        const bool late = Clock::now() >= deadline;
        if (waiter->woken && !gave_up && !late) continue;
        if (waiter->woken) wake_one();  // not taken: pass it on to the next in line
        if (gave_up) throw boost::system::system_error(net::error::operation_aborted);
        if (late || !ec) throw PoolTimeout("no analytics database connection became free in time");
    }
}

net::awaitable<ConnectionPool::Lease> ConnectionPool::open_new(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw PoolTimeout("no time left to open an analytics connection");
    // Counted before the connect so concurrent requests do not overshoot the size; a failed
    // connect gives its slot back and lets a waiter try.
    ++open_;
    auto conn = std::make_unique<db::Connection>(executor_);
    db::ConnectOptions options = options_;
    options.connect_timeout = std::min(options.connect_timeout, left);
    std::exception_ptr failed;
    try {
        co_await conn->connect(std::move(options));
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
    auto waiter = waiters_.front();
    waiters_.pop_front();
    waiter->woken = true;
    waiter->timer.cancel();
}

}  // namespace ff::read
