// Listener and per-connection session coroutines on Beast; the only Beast server TU in FleetFuel
// (past 500 lines on purpose: each Beast translation unit costs ~40 s to build).
#include "http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <optional>
#include <unordered_map>

#include "http/connection_slots.hpp"
#include "http/framing.hpp"
#include "http/listen_address.hpp"
#include "http/throttled_log.hpp"

namespace ff::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using SlotId = ConnectionSlots::Id;

struct Server::Impl {
    Impl(net::io_context& io, Router r, ServerOptions o)
        : io(io),
          router(std::move(r)),
          options(std::move(o)),
          acceptor(io),
          slots({options.max_connections, options.max_connections_per_client,
                 options.reserved_connections}),
          capacity_log(io.get_executor(), "http: connections refused or cut at the limits"),
          busy_log(io.get_executor(), "http: requests refused while every waiting slot is taken") {}

    void refused(std::string_view reason) const {
        if (options.on_refused) options.on_refused(reason);
    }

    net::io_context& io;
    Router router;
    ServerOptions options;
    tcp::acceptor acceptor;
    ConnectionSlots slots;
    std::unordered_map<SlotId, beast::tcp_stream*> streams;  // so stop() and evictions can close
    ThrottledLog capacity_log;
    ThrottledLog busy_log;
    std::uint16_t port = 0;
    bool stopped = false;
};

namespace {

using Impl = Server::Impl;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;
using Parser = bhttp::request_parser<bhttp::string_body>;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// After a refusal, how long and how much of what the client still sends is read and dropped.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;

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

// Registers a session for stop() and evictions, and gives its slot back, for the coroutine's
// lifetime.
class SessionGuard {
  public:
    SessionGuard(Impl& impl, SlotId id, beast::tcp_stream& stream) : impl_(impl), id_(id) {
        impl_.streams[id_] = &stream;
    }
    ~SessionGuard() {
        impl_.streams.erase(id_);
        impl_.slots.release(id_);
    }
    SessionGuard(const SessionGuard&) = delete;
    SessionGuard& operator=(const SessionGuard&) = delete;

  private:
    Impl& impl_;
    SlotId id_;
};

// Holds a waiting slot while an asynchronous route answers.
class WaitGuard {
  public:
    WaitGuard(ConnectionSlots& slots, SlotId id) : slots_(slots), id_(id) {}
    ~WaitGuard() { slots_.end_wait(id_); }
    WaitGuard(const WaitGuard&) = delete;
    WaitGuard& operator=(const WaitGuard&) = delete;

  private:
    ConnectionSlots& slots_;
    SlotId id_;
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

// An answer after which the connection closes.
BeastResponse refusal(int status, std::string_view text) {
    return to_beast(Response{status, "text/plain; charset=utf-8", std::string(text) + "\n", {}}, 11,
                    false, false);
}

// What to tell a client whose request could not be read, if anything.
std::optional<BeastResponse> read_refusal(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return refusal(431, "header too large");
    if (ec == bhttp::error::body_limit) return refusal(413, "body too large");
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
        return refusal(400, "bad request");
    return std::nullopt;
}

std::optional<FramingError> framing_error(const BeastRequest& req) {
    HeaderFields fields;
    for (const auto& field : req) fields.emplace_back(field.name_string(), field.value());
    return check_framing(req.version(), fields);
}

// What reading one request came to.
struct ReadOutcome {
    enum class Kind { request, end, drop, refuse } kind;
    std::optional<BeastResponse> refusal = {};
};

net::awaitable<ReadOutcome> read_request(const Impl& impl, beast::tcp_stream& stream,
                                         beast::flat_buffer& buffer, Parser& parser) {
    using Kind = ReadOutcome::Kind;
    const ServerOptions& o = impl.options;
    const auto start = std::chrono::steady_clock::now();

    // Read the header: one deadline from the moment we wait, however slowly bytes trickle in
    stream.expires_at(start + std::min(o.header_timeout, o.read_timeout));
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (!ec) {
        // Check its framing before a byte of the body is read
        if (auto bad = framing_error(parser.get())) {
            spdlog::debug("http: refused a request: {}", bad->reason);
            impl.refused(kRefusedMalformed);
            co_return ReadOutcome{Kind::refuse, refusal(bad->status, bad->reason)};
        }
        // Read the body, if any, within the rest of the read deadline
        if (!parser.is_done()) {
            stream.expires_at(start + o.read_timeout);
            std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        }
    }
    if (!ec) co_return ReadOutcome{Kind::request};
    if (ec == bhttp::error::end_of_stream) co_return ReadOutcome{Kind::end};
    fail(ec, "read");
    if (ec == beast::error::timeout) {
        // An idle keep-alive connection timing out is normal; a request left unfinished is not.
        if (buffer.size() > 0 || parser.got_some()) impl.refused(kRefusedHeaderTimeout);
        co_return ReadOutcome{Kind::drop};
    }
    if (auto res = read_refusal(ec)) {
        impl.refused(res->result_int() == 400 ? kRefusedMalformed : kRefusedTooLarge);
        co_return ReadOutcome{Kind::refuse, std::move(res)};
    }
    co_return ReadOutcome{Kind::drop};  // reset, or closed by stop() or an eviction
}

// Sends a refusal, then closes gently: stop sending, and read and drop what the client still
// sends (the rest of an oversized request) for a short while. Closing with unread input makes
// the kernel send a reset, which can destroy the response before the client has read it.
net::awaitable<void> refuse_and_close(const Impl& impl, beast::tcp_stream& stream,
                                      BeastResponse res) {
    stream.expires_after(impl.options.write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, res, kTuple);
    if (write_ec) {
        fail(write_ec, "write");
        co_return;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(kLingerTime);
    std::array<char, 4096> sink{};
    for (std::size_t dropped = 0; dropped < kLingerBytes;) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), kTuple);
        if (ec) break;
        dropped += n;
    }
}

// Completes when the client goes away (closes or resets) while its request is being answered.
// Bytes from it (a pipelined request) prove it is still there; they are left for the next read,
// and the watch then lasts until it is cancelled.
net::awaitable<void> peer_gone(tcp::socket& socket) {
    for (;;) {
        auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, kTuple);
        if (ec) co_return;  // cancelled (the answer is ready), or closed by stop()
        char byte = 0;
        const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) break;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) co_return;
    }
    net::steady_timer never(socket.get_executor(), net::steady_timer::time_point::max());
    co_await never.async_wait(kTuple);
}

net::awaitable<Response> answer(const Impl& impl, const Request& request) {
    try {
        co_return co_await impl.router.respond_async(request);
    } catch (const std::exception& e) {
        spdlog::error("http handler {}: {}", request.path(), e.what());
    }
    co_return Response{500, "text/plain; charset=utf-8", "internal error\n", {}};
}

// What to send for a complete request.
struct Answer {
    Response response;
    bool close = false;  // a refusal: close the connection after it
};

// The answer to a complete request; nullopt when the client went away before it was ready.
net::awaitable<std::optional<Answer>> respond(Impl& impl, SlotId id, beast::tcp_stream& stream,
                                              const Request& request) {
    if (!impl.router.waits(request)) {
        // Named first: GCC 12 destroys a co_await's result too early inside a braced init.
        auto response = co_await answer(impl, request);
        co_return Answer{std::move(response)};
    }

    // A route that waits (on the database, say) holds a waiting slot, and its work is cancelled
    // when the client goes away: nobody would read the answer.
    if (!impl.slots.begin_wait(id)) {
        impl.refused(kRefusedBusy);
        impl.busy_log.warn(
            fmt::format("http: {} requests are waiting for their answers; answering {} with 503",
                        impl.slots.waiting(), request.path()));
        co_return Answer{
            {503, "text/plain; charset=utf-8", "busy, try again shortly\n", {{"Retry-After", "1"}}},
            true};
    }
    WaitGuard waiting(impl.slots, id);
    using namespace net::experimental::awaitable_operators;
    auto outcome = co_await (answer(impl, request) || peer_gone(stream.socket()));
    if (outcome.index() == 1) {
        spdlog::debug("http: the client of {} went away before its answer", request.path());
        co_return std::nullopt;
    }
    co_return Answer{std::get<0>(std::move(outcome))};
}

// Calls `more` for the next piece; nullopt when it throws. The failure must not escape: the `||`
// below waits for an operation that succeeds, so a thrown piece would wait for the client.
net::awaitable<std::optional<std::string>> make_piece(const Request& request,
                                                      const BodyPieces& more) {
    try {
        co_return co_await more();
    } catch (const std::exception& e) {
        // The route has said why where it knows (a failed query is logged, rate-limited, there).
        spdlog::debug("http: the body of {} ended early: {}", request.path(), e.what());
    }
    co_return std::nullopt;
}

// The next piece of a streamed body (Response::more), waited for like an asynchronous route's
// answer: in a waiting slot, and cancelled when the client goes away. nullopt ends the response
// abruptly: the client left, no waiting slot was free, or the piece could not be made.
net::awaitable<std::optional<std::string>> next_piece(Impl& impl, SlotId id,
                                                      beast::tcp_stream& stream,
                                                      const Request& request,
                                                      const BodyPieces& more) {
    if (!impl.slots.begin_wait(id)) {
        impl.refused(kRefusedBusy);
        impl.busy_log.warn(fmt::format(
            "http: {} requests are waiting for their answers; cutting the body of {} short",
            impl.slots.waiting(), request.path()));
        co_return std::nullopt;
    }
    WaitGuard waiting(impl.slots, id);
    using namespace net::experimental::awaitable_operators;
    auto outcome = co_await (make_piece(request, more) || peer_gone(stream.socket()));
    if (outcome.index() == 0) co_return std::get<0>(std::move(outcome));
    spdlog::debug("http: the client of {} went away during its body", request.path());
    co_return std::nullopt;
}

// Writes `data` as one chunk (or as it is, without chunked framing), 64 KiB per write so that a
// slow reader is measured per 64 KiB and not per piece.
net::awaitable<bool> write_piece(const Impl& impl, beast::tcp_stream& stream, std::string_view data,
                                 bool chunked) {
    constexpr std::size_t kSlice = 64 * 1024;
    while (!data.empty()) {
        const auto slice = net::buffer(data.data(), std::min(kSlice, data.size()));
        data.remove_prefix(slice.size());
        stream.expires_after(impl.options.write_timeout);
        beast::error_code ec;
        std::size_t n = 0;
        if (chunked)
            std::tie(ec, n) = co_await net::async_write(stream, bhttp::make_chunk(slice), kTuple);
        else
            std::tie(ec, n) = co_await net::async_write(stream, slice, kTuple);
        if (ec) {
            fail(ec, "write");
            co_return false;
        }
    }
    co_return true;
}

// A response whose body comes in pieces (Response::more). nullopt when it failed (drop the
// connection), else whether the connection may carry another request.
net::awaitable<std::optional<bool>> write_streamed(Impl& impl, SlotId id, beast::tcp_stream& stream,
                                                   const Request& request, Response r,
                                                   unsigned version, bool keep_alive, bool head) {
    bhttp::response<bhttp::empty_body> header{static_cast<bhttp::status>(r.status), version};
    header.set(bhttp::field::server, "fleetfuel");
    header.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) header.set(name, value);
    // HTTP/1.0 has no chunks: there the end of the body is the end of the connection.
    const bool chunked = version >= 11;
    header.keep_alive(keep_alive && chunked);
    header.chunked(chunked);
    bhttp::response_serializer<bhttp::empty_body> serializer{header};
    stream.expires_after(impl.options.write_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(stream, serializer, kTuple);
    if (ec) {
        fail(ec, "write");
        co_return std::nullopt;
    }
    if (head) co_return header.keep_alive();

    std::string piece = std::move(r.body);
    for (;;) {
        if (!piece.empty() && !co_await write_piece(impl, stream, piece, chunked))
            co_return std::nullopt;
        auto next = co_await next_piece(impl, id, stream, request, r.more);
        if (!next) co_return std::nullopt;  // closing without the last chunk says the body is cut
        if (next->empty()) break;
        piece = std::move(*next);
    }
    if (chunked) {
        stream.expires_after(impl.options.write_timeout);
        std::tie(ec, n) = co_await net::async_write(stream, bhttp::make_chunk_last(), kTuple);
        if (ec) {
            fail(ec, "write");
            co_return std::nullopt;
        }
    }
    co_return header.keep_alive();
}

net::awaitable<void> run_session(std::shared_ptr<Impl> impl, beast::tcp_stream stream, SlotId id) {
    if (impl->stopped || !impl->slots.contains(id)) co_return;  // stopped or evicted meanwhile
    SessionGuard guard(*impl, id, stream);
    beast::flat_buffer buffer;  // outlives one request: it may hold the start of the next
    for (;;) {
        // A fresh parser per request, so the limits apply to each message.
        Parser parser;
        parser.header_limit(impl->options.header_limit);
        parser.body_limit(impl->options.body_limit);

        // Read the request
        auto read = co_await read_request(*impl, stream, buffer, parser);
        if (read.kind == ReadOutcome::Kind::end) break;
        if (read.kind == ReadOutcome::Kind::drop) co_return;
        if (read.kind == ReadOutcome::Kind::refuse)
            co_return co_await refuse_and_close(*impl, stream, std::move(*read.refusal));

        // Answer it
        const BeastRequest& req = parser.get();
        const Request request = to_request(req);
        auto reply = co_await respond(*impl, id, stream, request);
        if (!reply) co_return;
        const bool keep_alive = req.keep_alive() && !reply->close;
        const bool head = req.method() == bhttp::verb::head;
        if (reply->response.more) {
            const auto again =
                co_await write_streamed(*impl, id, stream, request, std::move(reply->response),
                                        req.version(), keep_alive, head);
            if (!again) co_return;
            if (!*again) break;
            continue;
        }
        auto res = to_beast(std::move(reply->response), req.version(), keep_alive, head);
        stream.expires_after(impl->options.write_timeout);
        auto [write_ec, written] = co_await bhttp::async_write(stream, res, kTuple);
        if (write_ec) {
            fail(write_ec, "write");
            co_return;
        }
        if (!res.keep_alive()) break;
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// A slot for a new connection, perhaps by closing one that yields; nullopt when it is refused.
std::optional<SlotId> admit(Impl& impl, tcp::socket& socket) {
    beast::error_code ec;
    const auto remote = socket.remote_endpoint(ec);
    if (ec) return std::nullopt;  // already gone
    const std::string client = remote.address().to_string();
    const auto admission = impl.slots.admit(client);
    if (admission.evicted) {
        impl.refused(kRefusedEvicted);
        impl.capacity_log.warn(fmt::format(
            "http: connection limits reached ({} open, {} from {}); closed the connection that "
            "had been sending its request or idling longest",
            impl.slots.size(), impl.slots.from(client), client));
        if (auto it = impl.streams.find(*admission.evicted); it != impl.streams.end())
            it->second->socket().close(ec);
    }
    if (admission.id) return admission.id;
    const bool per_client = admission.refusal == ConnectionSlots::Refusal::client_limit;
    impl.refused(per_client ? kRefusedClientLimit : kRefusedConnectionLimit);
    impl.capacity_log.warn(fmt::format(
        "http: every connection slot{} is being answered ({} open, {} from {}); closing a new "
        "connection",
        per_client ? " of this client" : "", impl.slots.size(), impl.slots.from(client), client));
    socket.close(ec);
    return std::nullopt;
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
        const auto id = admit(*impl, socket);
        if (!id) continue;
        net::co_spawn(impl->acceptor.get_executor(),
                      run_session(impl, beast::tcp_stream(std::move(socket)), *id),
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
        impl->capacity_log.flush();
        impl->busy_log.flush();
        // Closing cancels each session's pending read, write or watch; the sessions then end.
        for (auto& [id, stream] : impl->streams) stream->socket().close(ignored);
    });
}

std::size_t Server::connection_count() const {
    return impl_->slots.size();
}

}  // namespace ff::http
