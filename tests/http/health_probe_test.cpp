// The probe behind `fleetfuel healthcheck`: healthy only on a 200 from /healthz.
#include "http/health_probe.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <string>

#include "http/listen_address.hpp"
#include "support/test_server.hpp"

namespace {

using namespace std::chrono_literals;

ff::http::Router router_answering(int status) {
    ff::http::Router router;
    router.add({"/healthz",
                false,
                {"GET"},
                [status](const ff::http::Request&) {
                    return ff::http::Response{status, "application/json", "{}", {}};
                },
                {}});
    return router;
}

// A port on which nothing listens: bound once by the system, then released.
std::uint16_t closed_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

}  // namespace

TEST_CASE("the probe is healthy when /healthz answers 200, dialling loopback for 0.0.0.0") {
    fftest::ServerThread server(router_answering(200));
    const auto result = ff::http::probe("0.0.0.0:" + std::to_string(server.port()));
    CHECK(result.healthy());
    CHECK(result.status == 200);
    CHECK(result.error.empty());
}

TEST_CASE("the probe is unhealthy when /healthz answers 503") {
    fftest::ServerThread server(router_answering(503));
    const auto result = ff::http::probe("127.0.0.1:" + std::to_string(server.port()));
    CHECK_FALSE(result.healthy());
    CHECK(result.status == 503);
}

TEST_CASE("the probe is unhealthy when nothing listens") {
    const auto result = ff::http::probe("127.0.0.1:" + std::to_string(closed_port()));
    CHECK_FALSE(result.healthy());
    CHECK(result.status == 0);
    CHECK(result.error.starts_with("connect: "));
}

TEST_CASE("the probe gives up on a server that never answers") {
    // A listening socket that is never accepted from: the connection completes, the reply never
    // comes.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto result = ff::http::probe(
        "127.0.0.1:" + std::to_string(silent.local_endpoint().port()), "/healthz", 300ms);
    CHECK_FALSE(result.healthy());
    CHECK(result.status == 0);
    CHECK_FALSE(result.error.empty());
}

TEST_CASE("a malformed HTTP_LISTEN makes the probe fail with the setting's name") {
    const auto result = ff::http::probe("8080");
    CHECK_FALSE(result.healthy());
    CHECK(result.error.starts_with("HTTP_LISTEN: "));
}

TEST_CASE("listen addresses parse with IPv4, bracketed IPv6 and host names") {
    using ff::http::parse_host_port;
    CHECK(parse_host_port("0.0.0.0:8080").host == "0.0.0.0");
    CHECK(parse_host_port("0.0.0.0:8080").port == 8080);
    CHECK(parse_host_port("[::1]:9000").host == "::1");
    CHECK(parse_host_port("localhost:0").port == 0);
    CHECK(ff::http::local_dial_address("[::]:8080").host == "::1");
    CHECK(ff::http::local_dial_address(":8080").host == "127.0.0.1");
    CHECK_THROWS_AS(parse_host_port("::1:80"), std::invalid_argument);
    CHECK_THROWS_AS(parse_host_port("host:http"), std::invalid_argument);
    CHECK_THROWS_AS(parse_host_port("host:70000"), std::invalid_argument);
    CHECK_THROWS_AS(parse_host_port("host:"), std::invalid_argument);
}

TEST_CASE("only loopback addresses count as unreachable from other machines") {
    using ff::http::loopback_only;
    CHECK(loopback_only("127.0.0.1:8080"));
    CHECK(loopback_only("127.1.2.3:8080"));
    CHECK(loopback_only("[::1]:8080"));
    CHECK(loopback_only("localhost:8080"));
    CHECK_FALSE(loopback_only("0.0.0.0:8080"));
    CHECK_FALSE(loopback_only(":8080"));
    CHECK_FALSE(loopback_only("[::]:8080"));
    CHECK_FALSE(loopback_only("10.0.0.5:8080"));
    CHECK_FALSE(loopback_only("fleetfuel:8080"));
}
