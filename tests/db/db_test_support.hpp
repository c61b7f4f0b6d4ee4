// Helpers for lib/db tests: run a coroutine to completion, and connect to a scratch database.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
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

}  // namespace fftest
