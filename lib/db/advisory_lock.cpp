// The PostgreSQL advisory locks that keep FleetFuel's writers (and its migrations) one at a time.
#include "db/advisory_lock.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>

namespace ff::db {
namespace {

// Short enough that a waiting import starts promptly after the daemon lets go, long enough not
// to hammer the server.
constexpr std::chrono::milliseconds kRetryPeriod{250};

}  // namespace

boost::asio::awaitable<bool> try_acquire_writer_lock(Connection& conn) {
    // Params are built outside the co_await: GCC 12 miscompiles braced temporaries there.
    Params key{std::to_string(kWriterLockKey)};
    auto r = co_await conn.exec("SELECT pg_try_advisory_lock($1::bigint)", std::move(key));
    co_return r.get(0, 0) == "t";
}

boost::asio::awaitable<bool> acquire_writer_lock(Connection& conn, std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    for (;;) {
        if (co_await try_acquire_writer_lock(conn)) co_return true;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) co_return false;
        timer.expires_after(
            std::min<std::chrono::steady_clock::duration>(kRetryPeriod, deadline - now));
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
}

boost::asio::awaitable<void> release_writer_lock(Connection& conn) {
    Params key{std::to_string(kWriterLockKey)};
    co_await conn.exec("SELECT pg_advisory_unlock($1::bigint)", std::move(key));
}

}  // namespace ff::db
