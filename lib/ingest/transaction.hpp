// The one "catch, clean up, rethrow" of the engine, and units of work built on it. C++ forbids
// co_await inside a catch handler, so a coroutine that must clean up asynchronously after a
// failure (roll back, wait for a batch in flight, put indexes back) has to catch, leave the
// handler, clean up and rethrow; this writes that once.
#pragma once

#include <spdlog/spdlog.h>

#include <boost/asio/awaitable.hpp>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "ingest/storage.hpp"

namespace ff::ingest {

// Runs `body()` (an awaitable); when it throws, runs `cleanup()` (an awaitable that should not
// throw), then rethrows the body's exception.
template <class Body, class Cleanup>
auto on_failure(Body body, Cleanup cleanup) -> decltype(body()) {
    using T = typename decltype(body())::value_type;
    std::exception_ptr failure;
    if constexpr (std::is_void_v<T>) {
        try {
            co_await body();
        } catch (...) {
            failure = std::current_exception();
        }
        if (!failure) co_return;
    } else {
        std::optional<T> value;
        try {
            value.emplace(co_await body());
        } catch (...) {
            failure = std::current_exception();
        }
        if (!failure) co_return std::move(*value);
    }
    co_await cleanup();
    std::rethrow_exception(failure);
}

// One unit of work on the storage, begun by in_unit(). The body ends it with commit() or
// rollback(); a body that returns with the unit still open has it rolled back (never committed
// by default).
class Unit {
  public:
    Unit(Storage& storage, Scope scope) : storage_(storage), scope_(scope) {}

    boost::asio::awaitable<void> commit() {
        open_ = false;
        co_await storage_.commit(scope_);
    }
    boost::asio::awaitable<void> rollback() {
        open_ = false;
        co_await storage_.rollback(scope_);
    }
    // Drops what the unit wrote so far and goes on in a fresh one: a quarantined file keeps only
    // its verdict.
    boost::asio::awaitable<void> restart() {
        co_await rollback();
        co_await storage_.begin(scope_);
        open_ = true;
    }

    bool open() const { return open_; }
    Scope scope() const { return scope_; }

  private:
    Storage& storage_;
    Scope scope_;
    bool open_ = true;
};

// Rolls back without throwing, when the session can still take it: the failure being reported
// matters more than one of the rollback.
inline boost::asio::awaitable<void> rollback_quietly(Storage& storage, Scope scope) {
    if (!storage.usable()) co_return;
    try {
        co_await storage.rollback(scope);
    } catch (const std::exception& e) {
        spdlog::warn("ingest: rollback: {}", e.what());
    }
}

// Begins a unit in `scope`, runs `body(unit)`, and rolls the unit back when the body throws
// (quietly: the body's error is the one rethrown) or returns without ending it.
template <class Body>
auto in_unit(Storage& storage, Scope scope, Body body) -> decltype(body(std::declval<Unit&>())) {
    co_await storage.begin(scope);
    Unit unit(storage, scope);
    auto rollback_if_open = [&]() -> boost::asio::awaitable<void> {
        if (unit.open()) co_await rollback_quietly(storage, scope);
    };
    using T = typename decltype(body(unit))::value_type;
    if constexpr (std::is_void_v<T>) {
        co_await on_failure([&] { return body(unit); }, rollback_if_open);
        if (unit.open()) co_await unit.rollback();
    } else {
        T value = co_await on_failure([&] { return body(unit); }, rollback_if_open);
        if (unit.open()) co_await unit.rollback();
        co_return value;
    }
}

}  // namespace ff::ingest
