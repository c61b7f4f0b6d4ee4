// Streamed bodies (Response::more): chunked pieces, HTTP/1.0 up to the close, HEAD, a body cut
// short when a piece fails, a piece cancelled when its client goes away, and a client that
// stops reading holding the stream back until the write timeout cuts it.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/test_server.hpp"

namespace {

using fftest::Client;
using fftest::ServerThread;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

// A route whose body is `head` then `pieces` pieces of `size` bytes ('a', 'b', ...). The piece
// numbered `fail_at` throws instead.
ff::http::Router streaming_router(int pieces, std::size_t size = 10, int fail_at = -1,
                                  std::string head = "head\n") {
    ff::http::Router router;
    router.add({"/stream",
                false,
                {"GET"},
                {},
                [=](const ff::http::Request&) -> net::awaitable<ff::http::Response> {
                    auto next = std::make_shared<int>(0);
                    ff::http::Response r{200, "text/csv", head, {}};
                    r.more = [=]() -> net::awaitable<std::string> {
                        const int n = (*next)++;
                        if (n == fail_at) throw std::runtime_error("the database went away");
                        if (n >= pieces) co_return std::string{};
                        co_return std::string(size, static_cast<char>('a' + n % 26));
                    };
                    co_return r;
                }});
    return router;
}

std::string expected_body(int pieces, std::size_t size = 10) {
    std::string out = "head\n";
    for (int n = 0; n < pieces; ++n) out += std::string(size, static_cast<char>('a' + n % 26));
    return out;
}

}  // namespace

TEST_CASE("a streamed body arrives chunked, whole, and the connection stays open", "[http]") {
    ServerThread server(streaming_router(3, 100'000));  // pieces above the 64 KiB write slice
    Client client(server.port());
    const auto res = client.get("/stream");
    CHECK(res.result_int() == 200);
    CHECK(res.chunked());
    CHECK(res[bhttp::field::content_type] == "text/csv");
    CHECK(res.body() == expected_body(3, 100'000));
    CHECK(client.get("/stream").body() == expected_body(3, 100'000));  // keep-alive
}

TEST_CASE("a streamed body whose start is empty still asks for its pieces", "[http]") {
    ServerThread server(streaming_router(2, 10, -1, ""));
    Client client(server.port());
    CHECK(client.get("/stream").body() == std::string(10, 'a') + std::string(10, 'b'));
}

TEST_CASE("an HTTP/1.0 client gets the streamed body up to the close", "[http]") {
    ServerThread server(streaming_router(2));
    Client client(server.port());
    client.send_raw("GET /stream HTTP/1.0\r\n\r\n");
    const auto res = client.receive();
    CHECK(res.result_int() == 200);
    CHECK_FALSE(res.chunked());
    CHECK(res.body() == expected_body(2));
    CHECK(client.closed_by_server());
}

TEST_CASE("HEAD of a streamed route gets its header and no body", "[http]") {
    ServerThread server(streaming_router(2));
    Client client(server.port());
    client.send("HEAD", "/stream");
    const auto res = client.receive(true);
    CHECK(res.result_int() == 200);
    CHECK(res.body().empty());
    CHECK(client.get("/stream").body() == expected_body(2));  // the connection goes on
}

TEST_CASE("a piece that fails cuts the body short: no last chunk, the connection closes",
          "[http]") {
    ServerThread server(streaming_router(5, 10, 2));
    Client client(server.port());
    client.send("GET", "/stream");
    // The client's parser sees the body end before its last chunk: not a short, complete body.
    CHECK_THROWS_AS(client.receive(), boost::system::system_error);
}

TEST_CASE("a client that leaves during a streamed body cancels the piece being made", "[http]") {
    ff::http::Router router;
    ServerThread* server_ptr = nullptr;
    std::shared_ptr<net::steady_timer> gate;
    bool cancelled = false;
    router.add({"/stream",
                false,
                {"GET"},
                {},
                [&](const ff::http::Request&) -> net::awaitable<ff::http::Response> {
                    ff::http::Response r{200, "text/csv", "head\n", {}};
                    r.more = [&]() -> net::awaitable<std::string> {
                        gate = std::make_shared<net::steady_timer>(
                            server_ptr->io(), net::steady_timer::time_point::max());
                        auto keep = gate;
                        boost::system::error_code ec;
                        co_await keep->async_wait(net::redirect_error(net::use_awaitable, ec));
                        cancelled = ec == net::error::operation_aborted;
                        co_return std::string("never sent");
                    };
                    co_return r;
                }});
    ServerThread server(std::move(router));
    server_ptr = &server;
    {
        Client leaving(server.port());
        leaving.send("GET", "/stream");
        while (!server.on_io([&] { return gate != nullptr; })) std::this_thread::yield();
    }  // closed while the second piece is being made
    while (!server.on_io([&] { return cancelled; })) std::this_thread::yield();
    while (server.connections() != 0) std::this_thread::yield();
    server.on_io([&] {
        gate.reset();
        return 0;
    });
}

TEST_CASE("a client that stops reading holds the stream back, then is cut by the write timeout",
          "[http]") {
    ff::http::Router router;
    int pieces = 0;  // read and written on the io thread only
    router.add({"/stream",
                false,
                {"GET"},
                {},
                [&](const ff::http::Request&) -> net::awaitable<ff::http::Response> {
                    ff::http::Response r{200, "text/csv", "head\n", {}};
                    r.more = [&]() -> net::awaitable<std::string> {
                        ++pieces;
                        co_return std::string(1 << 20, 'x');  // endless, 1 MiB at a time
                    };
                    co_return r;
                }});
    ff::http::ServerOptions options;
    options.write_timeout = std::chrono::seconds(1);
    ServerThread server(std::move(router), options);

    net::io_context io;
    net::ip::tcp::socket socket(io);
    socket.open(net::ip::tcp::v4());
    socket.set_option(net::socket_base::receive_buffer_size(4096));  // and never read
    socket.connect({net::ip::make_address("127.0.0.1"), server.port()});
    net::write(socket, net::buffer(std::string("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")));

    // The next piece is asked for only once the last one is written: with nobody reading, the
    // kernel's buffers (a few MiB) fill and the stream stops; the write timeout then ends it.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (server.on_io([&] { return pieces; }) == 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // accepted and streaming
    while (server.connections() != 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(server.connections() == 0);
    const int made = server.on_io([&] { return pieces; });
    INFO("pieces made for a client that read nothing: " << made);
    CHECK(made <= 16);
}
