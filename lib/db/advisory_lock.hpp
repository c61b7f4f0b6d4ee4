// The PostgreSQL advisory locks that keep FleetFuel's writers (and its migrations) one at a time.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>

#include "db/connection.hpp"

namespace ff::db {

// Session-level advisory lock keys (pg_advisory_lock(bigint)). They are fixed forever: an old and a
// new FleetFuel must exclude each other. Each is its name in ASCII, so pg_locks shows them plainly
// (classid = high 32 bits, objid = low 32 bits).
inline constexpr std::int64_t kWriterLockKey = 0x4646'5752'4954'4552;   // "FFWRITER"
inline constexpr std::int64_t kMigrateLockKey = 0x4646'4d49'4752'4154;  // "FFMIGRAT"

// One attempt: true when this session now holds the writer lock (it is held until
// release_writer_lock or the session ends).
boost::asio::awaitable<bool> try_acquire_writer_lock(Connection& conn);

// Retries every few hundred milliseconds until `wait` has passed; false on timeout (the
// one-shot commands then exit 4).
boost::asio::awaitable<bool> acquire_writer_lock(Connection& conn, std::chrono::milliseconds wait);

boost::asio::awaitable<void> release_writer_lock(Connection& conn);

}  // namespace ff::db
