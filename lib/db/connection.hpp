// One asynchronous PostgreSQL connection: libpq in non-blocking mode, its socket watched by Asio.
// Everything runs on the caller's executor; nothing blocks the thread. Failures throw DbError.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db/result.hpp"

namespace ff::db {

struct ConnectOptions {
    std::string conninfo;  // postgresql:// URL or keyword/value string (contains the password)
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds statement_timeout{300'000};            // 0 = server default
    std::chrono::milliseconds idle_in_transaction_timeout{600'000};  // 0 = server default
    std::string application_name = "fleetfuel";
    // The read side's sessions: SET ROLE to this role after login, so every statement runs with
    // its rights only (empty: the login role's), and make every transaction read-only.
    std::string role;
    bool read_only = false;
};

// A failed database operation. `sqlstate` is the five-character SQLSTATE when the server sent
// one (e.g. "57014" query_canceled), empty otherwise. `connection_lost` is true when the
// connection is unusable afterwards and must be replaced. what() never contains the password.
class DbError : public std::runtime_error {
  public:
    DbError(const std::string& message, std::string sqlstate, bool connection_lost)
        : std::runtime_error(message),
          sqlstate_(std::move(sqlstate)),
          connection_lost_(connection_lost) {}
    const std::string& sqlstate() const { return sqlstate_; }
    bool connection_lost() const { return connection_lost_; }

  private:
    std::string sqlstate_;
    bool connection_lost_;
};

using Param = std::optional<std::string>;  // text-format parameter; nullopt is SQL NULL
using Params = std::vector<Param>;

class Canceller;

// Bounds for one statement of the read side. When the deadline passes, or the coroutine awaiting
// exec is cancelled (its HTTP client went away), the server is asked to cancel the statement
// (through `canceller`) and exec waits up to `cancel_grace` for it to confirm: exec then throws
// DbError with SQLSTATE 57014 and the connection stays usable. Without a confirmation in time, or
// when the cancel cannot be sent, the connection is dropped (DbError, connection_lost).
struct QueryLimits {
    std::chrono::steady_clock::time_point deadline;
    Canceller* canceller = nullptr;  // required
    std::chrono::milliseconds cancel_grace{2'000};
};

class Connection {
  public:
    enum class State { disconnected, connecting, idle, busy, copying, broken };

    explicit Connection(boost::asio::any_io_executor executor);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Resolves the host with Asio (libpq would block), then PQconnectStartParams/PQconnectPoll
    // with `hostaddr` set, then applies the session settings (application_name, statement_timeout,
    // idle_in_transaction_session_timeout, TCP keepalives, TimeZone=UTC, and role and read-only
    // when asked).
    boost::asio::awaitable<void> connect(ConnectOptions options);

    // One statement with text parameters ($1, $2, ...), via PQsendQueryParams. Returns the last
    // result after draining PQgetResult to NULL.
    boost::asio::awaitable<Result> exec(std::string_view sql, Params params = {});

    // As exec, within `limits` (see QueryLimits).
    boost::asio::awaitable<Result> exec(std::string_view sql, Params params, QueryLimits limits);

    // Several statements without parameters (migrations), via PQsendQuery. Returns the last result.
    boost::asio::awaitable<Result> exec_script(std::string_view sql);

    // COPY ... FROM STDIN: begin with the COPY statement, put data (text format, any split), then
    // end. copy_end returns the COPY's result (affected rows); copy_abort rolls the COPY back.
    boost::asio::awaitable<void> copy_begin(std::string_view copy_sql);
    boost::asio::awaitable<void> copy_put(std::string_view data);
    boost::asio::awaitable<Result> copy_end();
    boost::asio::awaitable<void> copy_abort(std::string_view reason);

    State state() const { return state_; }
    bool usable() const { return state_ == State::idle; }

    // host:port/dbname user=..., never the password; for logs and errors.
    std::string describe() const;

    // Drops the connection (releases the socket from Asio first, then PQfinish).
    void close();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    State state_ = State::disconnected;
};

}  // namespace ff::db
