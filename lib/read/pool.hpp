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

// No connection became free in time.
class PoolTimeout : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Connections open lazily, up to `size`; a broken one is dropped and reopened on demand.
// Single-threaded: use it only from the executor it was made with.
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
  public:
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
                   std::size_t size);

    // A connected, idle connection; waits up to `wait` for one. Throws PoolTimeout or DbError.
    boost::asio::awaitable<Lease> acquire(std::chrono::milliseconds wait);

  private:
    void give_back(std::unique_ptr<db::Connection> conn);
    void wake_one();

    boost::asio::any_io_executor executor_;
    db::ConnectOptions options_;
    std::size_t size_;
    std::size_t open_ = 0;  // idle + leased + connecting
    std::vector<std::unique_ptr<db::Connection>> idle_;
    std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace ff::read
