// Runs the read side's statements within bounds: a pool, a queue, one deadline, cancellation.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "db/connection.hpp"
#include "read/queries.hpp"

namespace ff::read {

// Refusals the read side counts in fleetfuel_http_refused_total{reason}.
inline constexpr std::string_view kRefusedAnalyticsQueueFull = "analytics_queue_full";
inline constexpr std::string_view kRefusedAnalyticsTimeout = "analytics_timeout";

struct RunnerOptions {
    db::ConnectOptions connect;   // the reader's sessions (role, read-only)
    std::size_t connections = 2;  // statements running at once
    std::size_t queue = 32;       // requests waiting for a connection, beyond which 503
    // From the request's arrival to its last row, the wait for a connection included.
    std::chrono::milliseconds timeout{10'000};
    std::function<void(std::string_view reason)> on_refused;
};

// The outcome of one statement, as the HTTP client should see it.
struct QueryAnswer {
    int status = 200;  // 200: `text` is the statement's one cell; 0: the client went away
    std::string text;  // otherwise a message for the client
};

// The same for a statement whose rows the caller reads itself (the CSV export).
struct RowsAnswer {
    int status = 200;  // 200: `rows` holds the result
    std::string text;  // otherwise a message for the client
    db::Result rows;
};

// What a failed statement tells the client: 400 when the input caused it (SQLSTATE class 22,
// data exception), 504 when it was cancelled (our deadline or the server's statement_timeout),
// 500 for a statement the server refuses to run (class 42: a missing grant for the reader role,
// or our own bug), 503 otherwise (the database is down or restarting).
int status_for(const db::DbError& error);

class QueryRunner {
  public:
    QueryRunner(boost::asio::any_io_executor executor, RunnerOptions options);
    ~QueryRunner();
    QueryRunner(const QueryRunner&) = delete;
    QueryRunner& operator=(const QueryRunner&) = delete;

    // Runs `statement`, which returns one row of one text cell. Cancelled with its awaiting
    // coroutine (the client went away): the server is asked to cancel it too, and the answer is
    // status 0. Single-threaded: call it on the executor given above.
    boost::asio::awaitable<QueryAnswer> run(Statement statement);

    // As run, for a statement of any shape: the rows are the caller's to read.
    boost::asio::awaitable<RowsAnswer> run_rows(Statement statement);

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace ff::read
