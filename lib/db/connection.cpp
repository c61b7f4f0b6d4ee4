// One asynchronous PostgreSQL connection: libpq's non-blocking protocol with its socket watched by
// Asio.
#include "db/connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/canceller.hpp"
#include "db/conninfo.hpp"
#include "db/pq.hpp"

namespace ff::db {
namespace {

namespace net = boost::asio;
using net::awaitable;
using Clock = std::chrono::steady_clock;
using Wait = net::posix::descriptor_base::wait_type;
constexpr auto kAwait = net::as_tuple(net::use_awaitable);

// Past this many bytes of COPY data queued in libpq we flush before queueing more: libpq grows
// its output buffer without limit in non-blocking mode, so the back-pressure has to come from us.
constexpr std::size_t kCopyFlushBytes = 64 * 1024;

// How often a cancel the server has not confirmed is asked for again.
constexpr auto kCancelAgain = std::chrono::milliseconds(200);

const char* state_name(Connection::State s) {
    switch (s) {
        case Connection::State::disconnected:
            return "disconnected";
        case Connection::State::connecting:
            return "connecting";
        case Connection::State::idle:
            return "idle";
        case Connection::State::busy:
            return "busy";
        case Connection::State::copying:
            return "copying";
        case Connection::State::broken:
            return "broken";
    }
    return "unknown";
}

// Server notices (RAISE NOTICE, "relation already exists, skipping") are diagnostics, not errors.
void on_notice(void* arg, const PGresult* r) {
    const auto& who = *static_cast<const std::string*>(arg);
    const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity != nullptr && std::string_view(severity) == "WARNING")
        spdlog::info("db {}: server warning: {}", who, pq::result_error(r));
    else
        spdlog::debug("db {}: server notice: {}", who, pq::result_error(r));
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        parts.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) return parts;
        start = comma + 1;
    }
}

std::string join_commas(const std::vector<std::string>& parts) {
    return fmt::format("{}", fmt::join(parts, ","));
}

}  // namespace

struct Connection::Impl {
    net::any_io_executor executor;
    Connection::State& state;
    pq::ConnHandle conn;
    std::optional<net::posix::stream_descriptor> socket;
    std::string who = "(not connected)";
    std::size_t copy_unflushed = 0;

    Impl(net::any_io_executor ex, Connection::State& s) : executor(std::move(ex)), state(s) {}
    ~Impl() { close(); }

    // The descriptor belongs to libpq: Asio only watches it, so it is released, never closed.
    void release_socket() {
        if (socket) {
            socket->release();
            socket.reset();
        }
    }

    void attach_socket() {
        release_socket();
        if (const int fd = PQsocket(conn.get()); fd >= 0) socket.emplace(executor, fd);
    }

    void close() {
        release_socket();
        conn.reset();
    }

    [[noreturn]] void fail_lost(std::string_view step, const std::string& detail,
                                std::string sqlstate = {}) {
        state = State::broken;
        throw DbError(fmt::format("{} failed on {}: {}", step, who, detail), std::move(sqlstate),
                      true);
    }

    void begin(std::string_view step, State required) {
        if (state != required)
            throw DbError(fmt::format("{}: connection to {} is {}", step, who, state_name(state)),
                          "", state == State::broken || state == State::disconnected);
        state = State::busy;
    }

    // A wait that fails or is cancelled leaves libpq mid-protocol: the connection is then unusable.
    awaitable<void> wait_socket(Wait what, std::string_view step) {
        if (!socket) fail_lost(step, "no socket");
        auto [ec] = co_await socket->async_wait(what, kAwait);
        if (ec) fail_lost(step, ec == net::error::operation_aborted ? "cancelled" : ec.message());
    }

    // Where a bounded statement stands. The socket is waited for until `until`: the deadline,
    // then, once a cancel was asked for, the next moment to ask again. A cancel that reaches the
    // server before the statement starts is ignored by it, so it is asked again (when the last
    // request has been delivered) until the server confirms or `give_up` passes.
    struct Bounded {
        QueryLimits limits;
        Clock::time_point until;
        Clock::time_point give_up{};
        std::shared_ptr<std::atomic<int>> in_flight;  // cancel requests not yet delivered
    };

    // Waits until the socket is readable, or asks the server to cancel the statement when the
    // deadline passes or the awaiting coroutine is cancelled, and then waits for its answer.
    awaitable<void> wait_readable(std::string_view step, Bounded& b) {
        using namespace net::experimental::awaitable_operators;
        for (;;) {
            if (!socket) fail_lost(step, "no socket");
            net::steady_timer timer(executor, b.until);
            auto first =
                co_await (socket->async_wait(Wait::wait_read, kAwait) || timer.async_wait(kAwait));
            const auto ec = first.index() == 0 ? std::get<0>(std::get<0>(first))
                                               : std::get<0>(std::get<1>(first));
            if (first.index() == 0 && !ec) co_return;
            if (first.index() == 0 && ec != net::error::operation_aborted)
                fail_lost(step, ec.message());
            // The deadline passed (the timer expired) or the caller gave up (both were aborted).
            if (ec) co_await net::this_coro::reset_cancellation_state();  // the waits go on
            if (!b.in_flight) {
                b.in_flight = std::make_shared<std::atomic<int>>(0);
                b.give_up = Clock::now() + b.limits.cancel_grace;
            } else if (Clock::now() >= b.give_up) {
                fail_lost(step, "the server did not confirm the cancel in time");
            }
            if (*b.in_flight == 0) request_cancel(step, b);
            b.until = std::min(Clock::now() + kCancelAgain, b.give_up);
        }
    }

    void request_cancel(std::string_view step, Bounded& b) {
        pq::CancelHandle cancel(PQgetCancel(conn.get()));
        if (!cancel || b.limits.canceller == nullptr ||
            !b.limits.canceller->submit(std::move(cancel), who, b.in_flight))
            fail_lost(step, "cannot ask the server to cancel the statement");
    }

    // A cancel delivered after exec returned could hit the connection's next statement: wait for
    // the ones in flight, and drop the connection if they do not arrive in time.
    awaitable<void> settle_cancels(Bounded& b) {
        while (*b.in_flight > 0 && Clock::now() < b.give_up) {
            net::steady_timer pause(executor, std::chrono::milliseconds(10));
            co_await pause.async_wait(kAwait);
        }
        if (*b.in_flight > 0) {
            close();
            state = State::broken;
        }
    }

    awaitable<void> wait_socket_until(Wait what, Clock::time_point deadline,
                                      std::chrono::milliseconds timeout) {
        using namespace net::experimental::awaitable_operators;
        if (!socket) fail_lost("connect", "no socket");
        net::steady_timer timer(executor, deadline);
        auto first = co_await (socket->async_wait(what, kAwait) || timer.async_wait(kAwait));
        if (first.index() == 1)
            fail_lost("connect", fmt::format("timed out after {} ms", timeout.count()));
        if (auto [ec] = std::get<0>(first); ec) fail_lost("connect", ec.message());
    }

    // libpq resolves synchronously, so names are resolved here and handed over as `hostaddr`.
    // Each address of each host becomes its own host/hostaddr entry: libpq then tries them in
    // order, as it would have done with its own lookup.
    awaitable<void> resolve_hosts(ConninfoParams& params, Clock::time_point deadline) {
        using namespace net::experimental::awaitable_operators;
        const auto hosts = params.hosts_to_resolve();
        if (hosts.empty()) co_return;
        auto ports = split_commas(params.get("port"));
        std::vector<std::string> out_hosts, out_addrs, out_ports;
        net::ip::tcp::resolver resolver(executor);
        for (std::size_t i = 0; i < hosts.size(); ++i) {
            net::steady_timer timer(executor, deadline);
            auto first =
                co_await (resolver.async_resolve(hosts[i], "", kAwait) || timer.async_wait(kAwait));
            if (first.index() == 1) fail_lost("resolve", "timed out resolving " + hosts[i]);
            auto [ec, results] = std::get<0>(first);
            if (ec)
                fail_lost("resolve", fmt::format("cannot resolve {}: {}", hosts[i], ec.message()));
            for (const auto& entry : results) {
                out_hosts.push_back(hosts[i]);
                out_addrs.push_back(entry.endpoint().address().to_string());
                out_ports.push_back(ports.size() == hosts.size() ? ports[i] : ports.front());
            }
        }
        params.set("host", join_commas(out_hosts));
        params.set("hostaddr", join_commas(out_addrs));
        if (!params.get("port").empty()) params.set("port", join_commas(out_ports));
    }

    // PQconnectStartParams, then PQconnectPoll as the libpq docs describe: start as if the last
    // poll said "writing", and re-read PQsocket after every step (libpq may switch sockets).
    awaitable<void> start_and_poll(ConninfoParams& params, Clock::time_point deadline,
                                   std::chrono::milliseconds timeout) {
        conn.reset(PQconnectStartParams(params.keywords(), params.values(), 0));
        if (!conn) fail_lost("connect", "out of memory");
        if (PQstatus(conn.get()) == CONNECTION_BAD)
            fail_lost("connect", pq::error_message(conn.get()));
        auto poll = PGRES_POLLING_WRITING;
        while (poll != PGRES_POLLING_OK) {
            if (poll == PGRES_POLLING_FAILED) fail_lost("connect", pq::error_message(conn.get()));
            attach_socket();
            const auto what = poll == PGRES_POLLING_READING ? Wait::wait_read : Wait::wait_write;
            co_await wait_socket_until(what, deadline, timeout);
            poll = PQconnectPoll(conn.get());
        }
        attach_socket();
    }

    // PQsendQueryParams, which copies the statement and the values into libpq's output buffer.
    void send_query(std::string_view sql, const Params& params) {
        const std::string query(sql);  // libpq wants a NUL-terminated statement
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
        if (PQsendQueryParams(conn.get(), query.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0) != 1)
            fail_lost("exec", pq::error_message(conn.get()));
    }

    // Send what libpq has queued, waiting for writability while PQflush says "pending".
    awaitable<void> flush_outgoing(std::string_view step) {
        for (;;) {
            const auto flushed = pq::flush(conn.get());
            if (flushed == pq::FlushState::done) break;
            if (flushed == pq::FlushState::failed) fail_lost(step, pq::error_message(conn.get()));
            co_await wait_socket(Wait::wait_write, step);
        }
        copy_unflushed = 0;
    }

    // Reads until PQgetResult returns NULL (or, for COPY, until the COPY_IN result), keeping the
    // last result and the first error; libpq requires the drain before the next command.
    // A `bounded` statement is waited for by wait_readable.
    awaitable<Result> collect(std::string_view step, bool until_copy, Bounded* bounded = nullptr) {
        PGconn* c = conn.get();
        Result last;
        std::optional<std::pair<std::string, std::string>> error;  // message, SQLSTATE
        for (;;) {
            while (PQisBusy(c)) {
                if (bounded)
                    co_await wait_readable(step, *bounded);
                else
                    co_await wait_socket(Wait::wait_read, step);
                if (!pq::consume_input(c)) fail_lost(step, pq::error_message(c));
            }
            pq::ResultHandle r(PQgetResult(c));
            if (!r) break;
            switch (PQresultStatus(r.get())) {
                case PGRES_COPY_IN:
                    if (until_copy) {
                        state = State::copying;
                        co_return Result(r.release());
                    }
                    // Only copy_begin may start a COPY; end it so the drain can finish.
                    if (pq::put_copy_end(c, "COPY not expected here") != pq::PutState::queued)
                        fail_lost(step, "cannot end an unexpected COPY");
                    co_await flush_outgoing(step);
                    break;
                case PGRES_COPY_OUT:
                case PGRES_COPY_BOTH:
                    fail_lost(step, "COPY TO STDOUT is not supported");
                case PGRES_FATAL_ERROR:
                case PGRES_BAD_RESPONSE:
                case PGRES_NONFATAL_ERROR:
                    if (!error) error.emplace(pq::result_error(r.get()), pq::sqlstate(r.get()));
                    break;
                default:
                    last = Result(r.release());
            }
        }
        if (PQstatus(c) == CONNECTION_BAD) {
            if (error) fail_lost(step, error->first, error->second);
            fail_lost(step, pq::error_message(c));
        }
        state = State::idle;
        if (error)
            throw DbError(fmt::format("{} failed: {}", step, error->first), error->second, false);
        if (until_copy)
            throw DbError(fmt::format("{}: the statement did not start COPY FROM STDIN", step), "",
                          false);
        co_return last;
    }
};

Connection::Connection(boost::asio::any_io_executor executor)
    : impl_(std::make_unique<Impl>(std::move(executor), state_)) {}

Connection::~Connection() = default;

void Connection::close() {
    impl_->close();
    state_ = State::disconnected;
}

std::string Connection::describe() const {
    return impl_->who;
}

awaitable<void> Connection::connect(ConnectOptions options) {
    close();
    ConninfoParams params(options.conninfo);  // a malformed URL leaves the connection untouched
    state_ = State::connecting;
    const auto deadline = Clock::now() + options.connect_timeout;
    impl_->who = params.describe();

    // Look up the host names without blocking the thread.
    co_await impl_->resolve_hosts(params, deadline);

    // Keepalives let the server notice a dead FleetFuel (and release its advisory lock) promptly.
    params.set("application_name", options.application_name);
    params.set("client_encoding", "UTF8");
    params.set_default("keepalives", "1");
    params.set_default("keepalives_idle", "30");
    params.set_default("keepalives_interval", "10");
    params.set_default("keepalives_count", "3");

    // Start the connection and walk libpq's connect state machine.
    co_await impl_->start_and_poll(params, deadline, options.connect_timeout);
    PGconn* c = impl_->conn.get();
    if (PQsetnonblocking(c, 1) != 0) impl_->fail_lost("connect", pq::error_message(c));
    PQsetNoticeReceiver(c, on_notice, &impl_->who);
    impl_->who = fmt::format("{}:{}/{} user={}", PQhost(c), PQport(c), PQdb(c), PQuser(c));
    state_ = State::idle;

    // Session settings; timestamps are always handled in UTC by FleetFuel's SQL.
    std::string sql = "SELECT set_config('TimeZone', 'UTC', false)";
    Params values;
    auto add_setting = [&](const char* name, std::chrono::milliseconds ms) {
        if (ms.count() <= 0) return;
        values.emplace_back(std::to_string(ms.count()));
        sql += fmt::format(", set_config('{}', ${}, false)", name, values.size());
    };
    add_setting("statement_timeout", options.statement_timeout);
    add_setting("idle_in_transaction_session_timeout", options.idle_in_transaction_timeout);
    if (!options.role.empty()) {
        // SET ROLE, as a function so the name travels as a parameter; fails unless the login
        // role is a member of it.
        values.emplace_back(options.role);
        sql += fmt::format(", set_config('role', ${}, false)", values.size());
    }
    if (options.read_only) sql += ", set_config('default_transaction_read_only', 'on', false)";
    co_await exec(sql, std::move(values));
    spdlog::debug("db: connected to {}", impl_->who);
}

awaitable<Result> Connection::exec(std::string_view sql, Params params) {
    impl_->begin("exec", State::idle);
    impl_->send_query(sql, params);
    co_await impl_->flush_outgoing("exec");
    co_return co_await impl_->collect("exec", false);
}

awaitable<Result> Connection::exec(std::string_view sql, Params params, QueryLimits limits) {
    impl_->begin("exec", State::idle);
    impl_->send_query(sql, params);
    co_await impl_->flush_outgoing("exec");
    Impl::Bounded bounded{limits, limits.deadline, {}, nullptr};
    std::exception_ptr failure;
    Result result;
    try {
        result = co_await impl_->collect("exec", false, &bounded);
    } catch (...) {
        failure = std::current_exception();
    }
    if (bounded.in_flight) co_await impl_->settle_cancels(bounded);
    if (failure) std::rethrow_exception(failure);
    co_return result;
}

awaitable<Result> Connection::exec_script(std::string_view sql) {
    impl_->begin("exec_script", State::idle);
    const std::string script(sql);
    PGconn* c = impl_->conn.get();
    if (PQsendQuery(c, script.c_str()) != 1) impl_->fail_lost("exec_script", pq::error_message(c));
    co_await impl_->flush_outgoing("exec_script");
    co_return co_await impl_->collect("exec_script", false);
}

awaitable<void> Connection::copy_begin(std::string_view copy_sql) {
    impl_->begin("copy_begin", State::idle);
    const std::string statement(copy_sql);
    PGconn* c = impl_->conn.get();
    if (PQsendQuery(c, statement.c_str()) != 1)
        impl_->fail_lost("copy_begin", pq::error_message(c));
    co_await impl_->flush_outgoing("copy_begin");
    impl_->copy_unflushed = 0;
    co_await impl_->collect("copy_begin", true);
}

awaitable<void> Connection::copy_put(std::string_view data) {
    impl_->begin("copy_put", State::copying);
    PGconn* c = impl_->conn.get();
    for (;;) {
        const auto put = pq::put_copy_data(c, data);
        if (put == pq::PutState::queued) break;
        if (put == pq::PutState::failed) impl_->fail_lost("copy_put", pq::error_message(c));
        // No room in libpq's buffer: wait until the socket drains, then try again.
        co_await impl_->wait_socket(Wait::wait_write, "copy_put");
        if (pq::flush(c) == pq::FlushState::failed)
            impl_->fail_lost("copy_put", pq::error_message(c));
    }
    impl_->copy_unflushed += data.size();
    if (impl_->copy_unflushed >= kCopyFlushBytes) co_await impl_->flush_outgoing("copy_put");
    state_ = State::copying;
}

awaitable<Result> Connection::copy_end() {
    impl_->begin("copy_end", State::copying);
    PGconn* c = impl_->conn.get();
    for (;;) {
        const auto put = pq::put_copy_end(c, nullptr);
        if (put == pq::PutState::queued) break;
        if (put == pq::PutState::failed) impl_->fail_lost("copy_end", pq::error_message(c));
        co_await impl_->wait_socket(Wait::wait_write, "copy_end");
    }
    co_await impl_->flush_outgoing("copy_end");
    co_return co_await impl_->collect("copy_end", false);
}

awaitable<void> Connection::copy_abort(std::string_view reason) {
    impl_->begin("copy_abort", State::copying);
    PGconn* c = impl_->conn.get();
    const std::string text(reason);
    for (;;) {
        const auto put = pq::put_copy_end(c, text.c_str());
        if (put == pq::PutState::queued) break;
        if (put == pq::PutState::failed) impl_->fail_lost("copy_abort", pq::error_message(c));
        co_await impl_->wait_socket(Wait::wait_write, "copy_abort");
    }
    co_await impl_->flush_outgoing("copy_abort");
    try {
        co_await impl_->collect("copy_abort", false);
    } catch (const DbError& e) {
        // The server answers an abort with query_canceled: that is the outcome we asked for.
        if (e.connection_lost() || e.sqlstate() != "57014") throw;
    }
}

}  // namespace ff::db
