// The Beast server in-process on 127.0.0.1:0, driven by blocking clients from the test thread.
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
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

// The status of every response on the connection until the server closes it.
std::vector<int> statuses_until_close(Client& client) {
    std::vector<int> out;
    for (;;) {
        try {
            out.push_back(client.receive().result_int());
        } catch (const boost::system::system_error&) {
            return out;
        }
    }
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

TEST_CASE("an oversized header is answered 431 and the server keeps answering others") {
    ServerThread server(test_router());
    {
        Client big(server.port());
        std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ";
        request += std::string(9 * 1024, 'a');
        request += "\r\n\r\n";
        big.send_raw(request);
        CHECK(statuses_until_close(big) == std::vector<int>{431});
    }
    Client next(server.port());
    CHECK(next.get("/healthz").result_int() == 200);
}

TEST_CASE("an oversized body is answered 413, even while the client is still sending it") {
    ServerThread server(test_router());
    Client client(server.port());
    std::string request = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n";
    request += std::string(200000, 'b');  // more than the socket buffers hold
    client.send_raw(request);
    CHECK(statuses_until_close(client) == std::vector<int>{413});
    CHECK(Client(server.port()).get("/healthz").result_int() == 200);
}

TEST_CASE("a header trickled in byte by byte is cut at the header deadline, not extended") {
    ff::http::ServerOptions options;
    options.header_timeout = std::chrono::milliseconds(300);
    std::vector<std::string> refused;
    options.on_refused = [&refused](std::string_view reason) { refused.emplace_back(reason); };
    ServerThread server(test_router(), options);
    Client slow(server.port());
    const std::string request =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghijklmnopqrstuvwxyz";
    // A byte every 50 ms for up to 10 s: each one would reset a per-read timeout.
    std::size_t sent = 0;
    for (bool cut = false; sent < 200 && !cut; ++sent) {
        try {
            slow.send_raw(request.substr(sent % request.size(), 1));
        } catch (const boost::system::system_error&) {
            cut = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(sent < 100);  // cut within 5 s; a deadline per read would have let all 10 s through
    CHECK(server.on_io([&] { return refused; }) == std::vector<std::string>{"header_timeout"});
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

TEST_CASE("when the server is full a new connection takes the slot of the one idle longest") {
    ff::http::ServerOptions options;
    options.max_connections = 2;
    options.reserved_connections = 0;
    std::vector<std::string> refused;
    options.on_refused = [&refused](std::string_view reason) { refused.emplace_back(reason); };
    ServerThread server(test_router(), options);
    Client a(server.port());
    CHECK(a.get("/healthz").result_int() == 200);
    Client b(server.port());
    CHECK(b.get("/healthz").result_int() == 200);

    // a has idled longest: it is closed, and the newcomer is served.
    Client third(server.port());
    CHECK(third.get("/healthz").result_int() == 200);
    CHECK(a.closed_by_server());
    CHECK(b.get("/metrics").result_int() == 200);
    CHECK(server.on_io([&] { return refused; }) == std::vector<std::string>{"evicted"});
}

TEST_CASE("one client's connections yield to its own newcomers, not to other clients'") {
    ff::http::ServerOptions options;
    options.max_connections_per_client = 3;
    ServerThread server(test_router(), options);
    std::vector<std::unique_ptr<Client>> silent;
    for (int i = 0; i < 10; ++i) silent.push_back(std::make_unique<Client>(server.port()));
    // Ten silent connections from one address, three slots: the newest three survive.
    Client probe(server.port());
    CHECK(probe.get("/healthz").result_int() == 200);
    int closed = 0;
    for (int i = 0; i < 8; ++i) closed += silent[i]->closed_by_server() ? 1 : 0;
    CHECK(closed == 8);
    CHECK(server.connections() == 3);
}

TEST_CASE("requests that wait are held below the reserve: past it they get 503 at once") {
    auto router = test_router();
    ServerThread* server_ptr = nullptr;
    std::vector<std::shared_ptr<boost::asio::steady_timer>> gates;
    router.add({"/slow",
                false,
                {"GET"},
                {},
                [&](const ff::http::Request&) -> boost::asio::awaitable<ff::http::Response> {
                    auto gate = std::make_shared<boost::asio::steady_timer>(
                        server_ptr->io(), boost::asio::steady_timer::time_point::max());
                    gates.push_back(gate);
                    boost::system::error_code ec;
                    co_await gate->async_wait(
                        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
                    co_return ff::http::Response{200, "text/plain", "finally\n", {}};
                }});
    ff::http::ServerOptions options;
    options.max_connections = 4;
    options.reserved_connections = 2;
    ServerThread server(std::move(router), options);
    server_ptr = &server;

    Client first(server.port());
    first.send("GET", "/slow");
    Client second(server.port());
    second.send("GET", "/slow");
    while (server.on_io([&] { return gates.size(); }) < 2) std::this_thread::yield();
    Client third(server.port());
    const auto busy = third.get("/slow");
    CHECK(busy.result_int() == 503);
    CHECK(busy[bhttp::field::retry_after] == "1");
    // The reserved slots still answer probes.
    CHECK(Client(server.port()).get("/healthz").result_int() == 200);

    server.on_io([&] {
        for (auto& gate : gates) gate->cancel();
        return 0;
    });
    CHECK(first.receive().body() == "finally\n");
    CHECK(second.receive().body() == "finally\n");
    server.on_io([&] {
        gates.clear();
        return 0;
    });
}

TEST_CASE("a client that goes away cancels the work its request was waiting for") {
    auto router = test_router();
    ServerThread* server_ptr = nullptr;
    std::shared_ptr<boost::asio::steady_timer> gate;
    bool cancelled = false;
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
                    cancelled = ec == boost::asio::error::operation_aborted;
                    co_return ff::http::Response{200, "text/plain", "nobody reads this\n", {}};
                }});
    ServerThread server(std::move(router));
    server_ptr = &server;
    {
        Client leaving(server.port());
        leaving.send("GET", "/slow");
        while (!server.on_io([&] { return gate != nullptr; })) std::this_thread::yield();
    }  // closed here
    while (!server.on_io([&] { return cancelled; })) std::this_thread::yield();
    while (server.connections() != 0) std::this_thread::yield();
    server.on_io([&] {
        gate.reset();
        return 0;
    });
}

TEST_CASE("stop closes idle keep-alive connections and ends every session") {
    ServerThread server(test_router());
    Client idle(server.port());
    CHECK(idle.get("/healthz").result_int() == 200);
    CHECK(server.connections() == 1);
    server.stop();  // returns only once the io thread has nothing left to run
    CHECK(idle.closed_by_server());
}
