// A small pool of database connections for the read side, apart from the ingest connection.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <stdexcept>
#include <vector>

#include "db/connection.hpp"

namespace ff::read {

// No connection became free before the deadline.
class PoolTimeout : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Every connection is in use and the queue of waiting requests is full.
class PoolBusy : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Connections open lazily, up to `size`; a broken one is dropped and reopened on demand. At most
// `queue_limit` requests wait for one, in order of arrival. Single-threaded: use it only from the
// executor it was made with.
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
  public:
    using Clock = std::chrono::steady_clock;

    class Lease {
      public:
        Lease(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<db::Connection> conn)
            : pool_(std::move(pool)), conn_(std::move(conn)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        db::Connection& operator*() const { return *conn_; }
        db::Connection* operator->() const { return conn_.get(); }

      private:
        std::shared_ptr<ConnectionPool> pool_;
        std::unique_ptr<db::Connection> conn_;
    };

    ConnectionPool(boost::asio::any_io_executor executor, db::ConnectOptions options,
                   std::size_t size, std::size_t queue_limit);

    // A connected, idle connection, waiting until `deadline` at most (a new connection's connect
    // timeout is cut to fit). Throws PoolBusy, PoolTimeout or DbError; when the awaiting coroutine
    // is cancelled, boost::system::system_error(operation_aborted).
    boost::asio::awaitable<Lease> acquire(Clock::time_point deadline);

    std::size_t waiting() const { return waiters_.size(); }

  private:
    struct Waiter {
        explicit Waiter(boost::asio::any_io_executor ex, Clock::time_point t) : timer(ex, t) {}
        boost::asio::steady_timer timer;
        bool woken = false;  // a connection or a slot became free for it
    };

    boost::asio::awaitable<Lease> open_new(Clock::time_point deadline);
    void give_back(std::unique_ptr<db::Connection> conn);
    void wake_one();

    boost::asio::any_io_executor executor_;
    db::ConnectOptions options_;
    std::size_t size_;
    std::size_t queue_limit_;
    std::size_t open_ = 0;  // idle + leased + connecting
    std::vector<std::unique_ptr<db::Connection>> idle_;
    std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace ff::read
