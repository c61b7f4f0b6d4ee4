// Listener and per-connection session coroutines on Beast; the only Beast server TU in FleetFuel.
#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <set>

#include "http/listen_address.hpp"

namespace ff::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

struct Server::Impl {
    Impl(net::io_context& io, Router r, ServerOptions o)
        : io(io), router(std::move(r)), options(std::move(o)), acceptor(io) {}

    net::io_context& io;
    Router router;
    ServerOptions options;
    tcp::acceptor acceptor;
    std::set<beast::tcp_stream*> sessions;  // so stop() can close them
    std::size_t connections = 0;            // counted from accept, before a session starts
    std::uint16_t port = 0;
    bool stopped = false;
};

namespace {

using Impl = Server::Impl;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// Expected per-connection failures (timeouts, resets) are routine for a server: debug level.
void fail(beast::error_code ec, const char* what) {
    spdlog::debug("http {}: {}", what, ec.message());
}

auto log_completion(const char* what) {
    return [what](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("http {}: {}", what, ex.what());
        }
    };
}

// Registers a session for stop() and keeps the connection count, for the coroutine's lifetime.
class SessionGuard {
  public:
    SessionGuard(Impl& impl, beast::tcp_stream& stream) : impl_(impl), stream_(&stream) {
        impl_.sessions.insert(stream_);
    }
    ~SessionGuard() {
        impl_.sessions.erase(stream_);
        --impl_.connections;
    }
    SessionGuard(const SessionGuard&) = delete;
    SessionGuard& operator=(const SessionGuard&) = delete;

  private:
    Impl& impl_;
    beast::tcp_stream* stream_;
};

Request to_request(const BeastRequest& req) {
    Request out{std::string(req.method_string()), std::string(req.target()), {}, req.body()};
    for (const auto& field : req) out.headers.emplace_back(field.name_string(), field.value());
    return out;
}

BeastResponse to_beast(Response r, unsigned version, bool keep_alive, bool head) {
    BeastResponse res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "fleetfuel");
    res.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(keep_alive);
    res.body() = std::move(r.body);
    res.prepare_payload();
    // HEAD gets the GET headers, Content-Length included, and no body.
    if (head) res.body().clear();
    return res;
}

// The answer to a request the parser rejected; the connection closes after it.
BeastResponse refusal(bhttp::status status, std::string_view text) {
    return to_beast(
        Response{
            static_cast<int>(status), "text/plain; charset=utf-8", std::string(text) + "\n", {}},
        11, false, false);
}

net::awaitable<BeastResponse> answer(const Impl& impl, const BeastRequest& req) {
    const Request request = to_request(req);
    Response response;
    try {
        response = co_await impl.router.respond_async(request);
    } catch (const std::exception& e) {
        spdlog::error("http handler {}: {}", request.path(), e.what());
        response = Response{500, "text/plain; charset=utf-8", "internal error\n", {}};
    }
    co_return to_beast(std::move(response), req.version(), req.keep_alive(),
                       req.method() == bhttp::verb::head);
}

// What to tell a client whose request could not be read, if anything.
std::optional<BeastResponse> read_refusal(beast::error_code ec) {
    if (ec == bhttp::error::header_limit)
        return refusal(bhttp::status::request_header_fields_too_large, "header too large");
    if (ec == bhttp::error::body_limit)
        return refusal(bhttp::status::payload_too_large, "body too large");
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
        return refusal(bhttp::status::bad_request, "bad request");
    return std::nullopt;
}

net::awaitable<void> run_session(std::shared_ptr<Impl> impl, beast::tcp_stream stream) {
    SessionGuard guard(*impl, stream);
    const ServerOptions& o = impl->options;
    beast::flat_buffer buffer;  // outlives one request: it may hold the start of the next
    for (;;) {
        // A fresh parser per request, so the limits apply to each message.
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(o.header_limit);
        parser.body_limit(o.body_limit);

        // Read the request
        stream.expires_after(o.read_timeout);
        auto [read_ec, read_n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (read_ec == bhttp::error::end_of_stream) break;
        if (read_ec) {
            fail(read_ec, "read");
            auto res = read_refusal(read_ec);
            if (!res) co_return;  // timed out, reset or closed by stop(): nothing to say
            stream.expires_after(o.write_timeout);
            co_await bhttp::async_write(stream, *res, kTuple);
            break;
        }

        // Answer it
        BeastResponse res = co_await answer(*impl, parser.get());
        stream.expires_after(o.write_timeout);
        auto [write_ec, write_n] = co_await bhttp::async_write(stream, res, kTuple);
        if (write_ec) {
            fail(write_ec, "write");
            co_return;
        }
        if (!res.keep_alive()) break;
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

net::awaitable<void> accept_loop(std::shared_ptr<Impl> impl) {
    for (;;) {
        auto [ec, socket] = co_await impl->acceptor.async_accept(kTuple);
        if (impl->stopped) co_return;
        if (ec) {
            // Out of descriptors, say: pause rather than spin, and keep serving the others.
            fail(ec, "accept");
            net::steady_timer pause(impl->acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(kTuple);
            continue;
        }
        if (impl->connections >= impl->options.max_connections) {
            spdlog::warn("http: {} connections open, closing a new one", impl->connections);
            beast::error_code ignored;
            socket.close(ignored);
            continue;
        }
        ++impl->connections;
        net::co_spawn(impl->acceptor.get_executor(),
                      run_session(impl, beast::tcp_stream(std::move(socket))),
                      log_completion("session"));
    }
}

tcp::endpoint resolve_listen(net::io_context& io, const std::string& listen) {
    const HostPort hp = parse_host_port(listen);
    const std::string host = hp.host.empty() ? "0.0.0.0" : hp.host;
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (!ec) return {address, hp.port};
    // A host name: resolved once, before the loop serves anything.
    tcp::resolver resolver(io);
    const auto results = resolver.resolve(host, std::to_string(hp.port));
    return results.begin()->endpoint();
}

}  // namespace

Server::Server(net::io_context& io, Router router, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(router), std::move(options))) {}

Server::~Server() {
    stop();
}

void Server::start() {
    const tcp::endpoint endpoint = resolve_listen(impl_->io, impl_->options.listen);
    tcp::acceptor& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(net::socket_base::max_listen_connections);
    impl_->port = acceptor.local_endpoint().port();
    spdlog::info("http: listening on {}:{}", endpoint.address().to_string(), impl_->port);
    net::co_spawn(acceptor.get_executor(), accept_loop(impl_), log_completion("listener"));
}

std::uint16_t Server::port() const {
    return impl_->port;
}

void Server::stop() {
    net::dispatch(impl_->acceptor.get_executor(), [impl = impl_] {
        if (impl->stopped) return;
        impl->stopped = true;
        beast::error_code ignored;
        impl->acceptor.close(ignored);
        // Closing cancels each session's pending read or write; the sessions then end.
        for (auto* stream : impl->sessions) stream->socket().close(ignored);
    });
}

std::size_t Server::connection_count() const {
    return impl_->connections;
}

}  // namespace ff::http
