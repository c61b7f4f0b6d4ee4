// The writer lock: one holder at a time, and a bounded wait for everyone else.
#include "db/advisory_lock.hpp"

#include <catch2/catch.hpp>

#include "db/connection.hpp"
#include "db/db_test_support.hpp"
#include "support/pg_test.hpp"

namespace db = ff::db;
using boost::asio::any_io_executor;
using boost::asio::awaitable;

TEST_CASE("the writer lock is held by one connection at a time", "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
        db::Connection first(ex), second(ex);
        co_await first.connect(fftest::connect_options(scratch.url()));
        co_await second.connect(fftest::connect_options(scratch.url()));

        const bool got1 = co_await db::try_acquire_writer_lock(first);
        CHECK(got1);
        const bool got2 = co_await db::try_acquire_writer_lock(second);
        CHECK_FALSE(got2);
        // A bounded wait gives up while the holder keeps the lock.
        const bool got3 = co_await db::acquire_writer_lock(second, std::chrono::milliseconds(600));
        CHECK_FALSE(got3);

        co_await db::release_writer_lock(first);
        const bool got4 = co_await db::acquire_writer_lock(second, std::chrono::milliseconds(600));
        CHECK(got4);
        const bool got5 = co_await db::try_acquire_writer_lock(first);
        CHECK_FALSE(got5);
    });
}

TEST_CASE("the writer lock is released when its holder's connection goes away",
          "[db][integration]") {
    fftest::ScratchDatabase scratch;
    fftest::run_async([&](any_io_executor ex) -> awaitable<void> {
        db::Connection holder(ex), waiter(ex);
        co_await holder.connect(fftest::connect_options(scratch.url()));
        co_await waiter.connect(fftest::connect_options(scratch.url()));
        const bool got6 = co_await db::try_acquire_writer_lock(holder);
        CHECK(got6);
        holder.close();
        const bool got7 = co_await db::acquire_writer_lock(waiter, std::chrono::seconds(10));
        CHECK(got7);
    });
}
