// The Beast server in-process on 127.0.0.1:0, driven by blocking clients from the test thread.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "metrics/exposition.hpp"
#include "support/test_server.hpp"

namespace {

using fftest::Client;
using fftest::ServerThread;
namespace bhttp = boost::beast::http;

ff::http::Router test_router() {
    ff::http::Context c;
    c.health = [] {
        ff::metrics::HealthState s;
        s.db_reachable = true;
        return s;
    };
    c.render_metrics = [] { return std::string("fleetfuel_db_up 1\n"); };
    return ff::http::default_router(std::move(c));
}

}  // namespace

TEST_CASE("the server answers /healthz and /metrics on a port chosen by the system") {
    ServerThread server(test_router());
    REQUIRE(server.port() != 0);
    Client client(server.port());

    const auto health = client.get("/healthz");
    CHECK(health.result_int() == 200);
    CHECK(health[bhttp::field::content_type] == "application/json");
    CHECK(health.body().starts_with("{\"status\":\"ok\""));

    // Same connection: keep-alive.
    const auto metrics = client.get("/metrics?ignored=1");
    CHECK(metrics.result_int() == 200);
    CHECK(metrics[bhttp::field::content_type] == ff::metrics::kExpositionContentType);
    CHECK(metrics.body() == "fleetfuel_db_up 1\n");

    CHECK(client.get("/nowhere").result_int() == 404);
    client.send("POST", "/metrics");
    CHECK(client.receive().result_int() == 405);
}

TEST_CASE("HEAD gets the headers of GET and no body") {
    ServerThread server(test_router());
    Client client(server.port());
    client.send("HEAD", "/metrics");
    const auto res = client.receive(true);
    CHECK(res.result_int() == 200);
    CHECK(res[bhttp::field::content_length] == "18");
    CHECK(res.body().empty());
    // The connection is still usable, so no stray body bytes were sent.
    CHECK(client.get("/healthz").result_int() == 200);
}

TEST_CASE("many concurrent connections are all served") {
    ServerThread server(test_router());
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 64; ++i) {
        clients.push_back(std::make_unique<Client>(server.port()));
        clients.back()->send("GET", i % 2 ? "/metrics" : "/healthz");
    }
    int ok = 0;
    for (auto& c : clients) ok += c->receive().result_int() == 200;
    CHECK(ok == 64);
}

TEST_CASE("an oversized header is refused and the server keeps answering others") {
    ServerThread server(test_router());
    {
        Client big(server.port());
        std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ";
        request += std::string(9 * 1024, 'a');
        request += "\r\n\r\n";
        try {
            big.send_raw(request);
            const auto res = big.receive();
            CHECK(res.result_int() == 431);
        } catch (const boost::system::system_error&) {
            SUCCEED("the server closed the connection");
        }
    }
    Client next(server.port());
    CHECK(next.get("/healthz").result_int() == 200);
}

TEST_CASE("an oversized body is refused with 413") {
    ServerThread server(test_router());
    Client client(server.port());
    std::string request = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n\r\n";
    request += std::string(20000, 'b');
    try {
        client.send_raw(request);
        CHECK(client.receive().result_int() == 413);
    } catch (const boost::system::system_error&) {
        SUCCEED("the server closed the connection");
    }
    CHECK(Client(server.port()).get("/healthz").result_int() == 200);
}

TEST_CASE("a client that sends half a request is dropped after the read timeout") {
    ff::http::ServerOptions options;
    options.read_timeout = std::chrono::milliseconds(300);
    ServerThread server(test_router(), options);

    Client slow(server.port());
    slow.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // no blank line: never complete

    // Others are served while the slow one is pending.
    Client other(server.port());
    CHECK(other.get("/healthz").result_int() == 200);

    // Blocks until the server gives up on it; a server without a timeout would hang here.
    CHECK(slow.closed_by_server());
    CHECK(Client(server.port()).get("/healthz").result_int() == 200);
}

TEST_CASE("a slow async route does not delay /healthz") {
    auto router = test_router();
    ServerThread* server_ptr = nullptr;
    std::shared_ptr<boost::asio::steady_timer> gate;
    router.add({"/slow",
                false,
                {"GET"},
                {},
                [&](const ff::http::Request&) -> boost::asio::awaitable<ff::http::Response> {
                    gate = std::make_shared<boost::asio::steady_timer>(
                        server_ptr->io(), boost::asio::steady_timer::time_point::max());
                    auto keep = gate;
                    boost::system::error_code ec;
                    co_await keep->async_wait(
                        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
                    co_return ff::http::Response{200, "text/plain", "finally\n", {}};
                }});
    ServerThread server(std::move(router));
    server_ptr = &server;

    Client slow(server.port());
    slow.send("GET", "/slow");
    // Wait until the slow handler is parked, then show the server still answers.
    while (!server.on_io([&] { return gate != nullptr; })) std::this_thread::yield();
    CHECK(Client(server.port()).get("/healthz").result_int() == 200);

    server.on_io([&] { return gate->cancel(); });
    const auto res = slow.receive();
    CHECK(res.body() == "finally\n");
    server.on_io([&] {
        gate.reset();  // the timer must go before the io_context it belongs to
        return 0;
    });
}

TEST_CASE("connections beyond the cap are closed while the open ones keep working") {
    ff::http::ServerOptions options;
    options.max_connections = 2;
    ServerThread server(test_router(), options);
    Client a(server.port());
    Client b(server.port());
    CHECK(a.get("/healthz").result_int() == 200);
    CHECK(b.get("/healthz").result_int() == 200);

    Client third(server.port());  // the kernel accepts it; the server then closes it
    CHECK(third.closed_by_server());
    CHECK(a.get("/metrics").result_int() == 200);
}

TEST_CASE("stop closes idle keep-alive connections and ends every session") {
    ServerThread server(test_router());
    Client idle(server.port());
    CHECK(idle.get("/healthz").result_int() == 200);
    CHECK(server.connections() == 1);
    server.stop();  // returns only once the io thread has nothing left to run
    CHECK(idle.closed_by_server());
}
