// QueryRunner: acquire within the deadline, exec within it, and say why not in HTTP terms.
#include "read/query_runner.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

#include "db/canceller.hpp"
#include "http/throttled_log.hpp"
#include "read/pool.hpp"

namespace ff::read {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// The server ends an analytics statement this long after FUEL_ANALYTICS_TIMEOUT on its own
// (statement_timeout), should our cancel request be lost.
constexpr auto kServerBackstop = std::chrono::seconds(5);

}  // namespace

int status_for(const db::DbError& error) {
    const std::string& code = error.sqlstate();
    if (code.starts_with("22")) return 400;
    if (code == "57014") return 504;
    if (code.starts_with("42")) return 500;
    return 503;
}

struct QueryRunner::State {
    State(net::any_io_executor ex, RunnerOptions o)
        : options(std::move(o)),
          pool(std::make_shared<ConnectionPool>(ex, options.connect, options.connections,
                                                options.queue)),
          canceller(options.connections),
          failures(ex, "analytics: queries failed"),
          busy(ex, "analytics: requests refused because every connection was busy") {}

    void refused(std::string_view reason) const {
        if (options.on_refused) options.on_refused(reason);
    }

    // The answer for a run that failed with `failure`; `late` when the deadline has passed.
    QueryAnswer explain(std::exception_ptr failure, bool gave_up, bool late) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            if (gave_up) {
                spdlog::debug("analytics: abandoned (the client went away): {}", e.what());
                return {503, "the request was cancelled"};
            }
            return explain(e, late);
        }
    }

    QueryAnswer explain(const std::exception& e, bool late) {
        if (dynamic_cast<const PoolBusy*>(&e)) {
            refused(kRefusedAnalyticsQueueFull);
            busy.warn(std::string("analytics: ") + e.what());
            return {503, "the analytics API is busy, try again shortly"};
        }
        if (dynamic_cast<const PoolTimeout*>(&e)) return timed_out(e);
        const auto* db_error = dynamic_cast<const db::DbError*>(&e);
        if (!db_error) {
            spdlog::error("analytics: query failed: {}", e.what());
            return {500, "internal error"};
        }
        switch (status_for(*db_error)) {
            case 400:
                spdlog::debug("analytics: the database refused a parameter: {}", e.what());
                return {400, "a parameter is out of range for the database"};
            case 504:
                if (late) return timed_out(e);
                // Before the deadline: the client went away, or an operator cancelled it.
                spdlog::debug("analytics: statement cancelled: {}", e.what());
                return {503, "the query was cancelled"};
            case 500:
                failures.warn(std::string("analytics: the database refused the query: ") +
                              e.what());
                return {500, "internal error"};
            default:
                failures.warn(std::string("analytics: query failed: ") + e.what());
                return {503, "the database is not available"};
        }
    }

    QueryAnswer timed_out(const std::exception& e) {
        refused(kRefusedAnalyticsTimeout);
        failures.warn(std::string("analytics: over FUEL_ANALYTICS_TIMEOUT: ") + e.what());
        return {504, "the query took too long"};
    }

    RunnerOptions options;
    std::shared_ptr<ConnectionPool> pool;
    db::Canceller canceller;
    http::ThrottledLog failures;
    http::ThrottledLog busy;
};

QueryRunner::QueryRunner(net::any_io_executor executor, RunnerOptions options) {
    options.connect.statement_timeout = options.timeout + kServerBackstop;
    state_ = std::make_shared<State>(std::move(executor), std::move(options));
}

QueryRunner::~QueryRunner() = default;

net::awaitable<RowsAnswer> QueryRunner::run_rows(Statement statement) {
    auto state = state_;  // the frame keeps the pool and the canceller alive
    const auto deadline = Clock::now() + state->options.timeout;
    std::exception_ptr failure;
    try {
        auto lease = co_await state->pool->acquire(deadline);
        const db::QueryLimits limits{deadline, &state->canceller};
        auto rows = co_await lease->exec(statement.sql, std::move(statement.params), limits);
        co_return RowsAnswer{200, {}, std::move(rows)};
    } catch (...) {
        failure = std::current_exception();
    }
    const auto cancelled = (co_await net::this_coro::cancellation_state).cancelled();
    auto answer = state->explain(failure, cancelled != net::cancellation_type::none,
                                 Clock::now() >= deadline);
    co_return RowsAnswer{answer.status, std::move(answer.text), {}};
}

net::awaitable<QueryAnswer> QueryRunner::run(Statement statement) {
    auto answer = co_await run_rows(std::move(statement));
    if (answer.status != 200) co_return QueryAnswer{answer.status, std::move(answer.text)};
    if (answer.rows.rows() == 1 && !answer.rows.is_null(0, 0))
        co_return QueryAnswer{200, std::string(answer.rows.get(0, 0))};
    spdlog::error("analytics: a statement returned no document");
    co_return QueryAnswer{500, "internal error"};
}

}  // namespace ff::read
