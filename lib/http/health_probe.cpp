// Health probe client: one short-lived io_context, so the caller sees a plain blocking call.
#include "http/health_probe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "http/listen_address.hpp"

namespace ff::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

ProbeResult failed(const char* what, beast::error_code ec) {
    return {0, std::string(what) + ": " + ec.message()};
}

net::awaitable<ProbeResult> get(HostPort target, std::string path,
                                std::chrono::steady_clock::time_point deadline) {
    auto executor = co_await net::this_coro::executor;

    // Look up the address (a literal in practice, so no DNS)
    tcp::resolver resolver(executor);
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(target.host, std::to_string(target.port), kTuple);
    if (resolve_ec) co_return failed("resolve", resolve_ec);

    // Connect
    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kTuple);
    if (connect_ec) co_return failed("connect", connect_ec);

    // Send the request
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, path, 11};
    req.set(bhttp::field::host, target.host);
    req.set(bhttp::field::user_agent, "fleetfuel-healthcheck");
    req.keep_alive(false);
    stream.expires_at(deadline);
    auto [write_ec, written] = co_await bhttp::async_write(stream, req, kTuple);
    if (write_ec) co_return failed("write", write_ec);

    // Read the response; the body is small JSON, anything larger is not our server
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024);
    stream.expires_at(deadline);
    auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (read_ec) co_return failed("read", read_ec);

    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return ProbeResult{static_cast<int>(parser.get().result_int()), {}};
}

}  // namespace

ProbeResult probe(std::string_view listen, std::string_view path,
                  std::chrono::milliseconds timeout) {
    HostPort target;
    try {
        target = local_dial_address(listen);
    } catch (const std::invalid_argument& e) {
        return {0, std::string("HTTP_LISTEN: ") + e.what()};
    }
    net::io_context io;
    ProbeResult result{0, "no answer"};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    net::co_spawn(io, get(std::move(target), std::string(path), deadline),
                  [&result](std::exception_ptr e, ProbeResult r) {
                      if (!e) {
                          result = std::move(r);
                          return;
                      }
                      try {
                          std::rethrow_exception(e);
                      } catch (const std::exception& ex) {
                          result = {0, ex.what()};
                      }
                  });
    io.run();
    return result;
}

}  // namespace ff::http
