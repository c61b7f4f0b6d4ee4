// Helpers for lib/db tests: run a coroutine to completion, connect to a scratch database, and
// catch the error a call must raise.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <exception>
#include <functional>
#include <string>

#include "db/connection.hpp"

namespace fftest {

// Runs fn(executor) -> awaitable<T> on a fresh io_context and returns its result (or rethrows).
template <class Fn>
auto run_async(Fn fn) {
    boost::asio::io_context io;
    auto done = boost::asio::co_spawn(io, fn(io.get_executor()), boost::asio::use_future);
    io.run();
    return done.get();
}

inline ff::db::ConnectOptions connect_options(const std::string& conninfo) {
    ff::db::ConnectOptions options;
    options.conninfo = conninfo;
    options.connect_timeout = std::chrono::seconds(10);
    return options;
}

// The message of the exception `fn` throws; fails the test when it throws none.
inline std::string what_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        return e.what();
    }
    FAIL("expected an error, but it succeeded");
    return {};
}

}  // namespace fftest
