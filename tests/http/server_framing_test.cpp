// RFC 9112 framing over a real socket: what is refused is answered 400 (or 413, 501) and closed,
// and nothing hidden in a body is ever answered as a request of its own.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/test_server.hpp"

namespace {

using fftest::Client;
using fftest::ServerThread;

ff::http::Router test_router() {
    ff::http::Context c;
    c.health = [] { return ff::metrics::HealthState{}; };
    c.render_metrics = [] { return std::string("fleetfuel_db_up 1\n"); };
    return ff::http::default_router(std::move(c));
}

// Sends `raw` on a fresh connection and returns the status of every response until the server
// closes it.
std::vector<int> send_and_read(const ServerThread& server, const std::string& raw) {
    Client client(server.port());
    client.send_raw(raw);
    std::vector<int> out;
    for (;;) {
        try {
            out.push_back(client.receive().result_int());
        } catch (const boost::system::system_error&) {
            return out;
        }
    }
}

// A GET /metrics hidden in the body of a POST: answered only if the framing was misread.
const std::string kSmuggled = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

std::string post(const std::string& framing_headers, const std::string& body) {
    return "POST /metrics HTTP/1.1\r\nHost: x\r\n" + framing_headers + "\r\n" + body;
}

}  // namespace

TEST_CASE("a Transfer-Encoding that does not end in chunked is 400 and the body is never parsed",
          "[http]") {
    ServerThread server(test_router());
    for (const std::string te :
         {"xchunked", "chunked, identity", "identity", "chunked , gzip", "chunked, chunked"}) {
        INFO("Transfer-Encoding: " << te);
        CHECK(send_and_read(server, post("Transfer-Encoding: " + te + "\r\n", kSmuggled)) ==
              std::vector<int>{400});
    }
    // Split over two field lines, the codings are one list.
    CHECK(
        send_and_read(server, post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                                   kSmuggled)) == std::vector<int>{400});
    // Well framed with a coding we do not decode: 501.
    CHECK(send_and_read(server, post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n")) ==
          std::vector<int>{501});
}

TEST_CASE("Content-Length and Transfer-Encoding together, in either order, are 400", "[http]") {
    ServerThread server(test_router());
    const std::string chunked_body = "5\r\nabcde\r\n0\r\n\r\n";
    CHECK(send_and_read(server, post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                                     chunked_body)) == std::vector<int>{400});
    CHECK(send_and_read(server, post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                                     chunked_body)) == std::vector<int>{400});
    CHECK(send_and_read(server, post("Transfer-Encoding: identity\r\nContent-Length: 5\r\n",
                                     "abcde" + kSmuggled)) == std::vector<int>{400});
}

TEST_CASE("Content-Length: conflicting or malformed values are 400, identical repeats are one",
          "[http]") {
    ServerThread server(test_router());
    CHECK(send_and_read(server, post("Content-Length: 3\r\nContent-Length: 5\r\n", "abcde")) ==
          std::vector<int>{400});
    CHECK(send_and_read(server, post("Content-Length: 3, 5\r\n", "abcde")) ==
          std::vector<int>{400});
    CHECK(send_and_read(server, post("Content-Length: -1\r\n", "")) == std::vector<int>{400});
    CHECK(send_and_read(server, post("Content-Length: 0x10\r\n", "")) == std::vector<int>{400});
    // The same length twice frames the same body: POST /metrics is 405, then the next request.
    CHECK(send_and_read(server, post("Content-Length: 3\r\nContent-Length: 3\r\n", "abc") +
                                    kSmuggled) == std::vector<int>{405, 200});
}

TEST_CASE("chunk sizes: valid ones frame the body, malformed or oversized ones are refused",
          "[http]") {
    ServerThread server(test_router());
    const std::string te = "Transfer-Encoding: chunked\r\n";
    // A correctly framed chunked POST is read whole: 405, then the request after it.
    CHECK(send_and_read(server, post(te, "3\r\nabc\r\na;ext=1\r\n0123456789\r\n0\r\n\r\n") +
                                    kSmuggled) == std::vector<int>{405, 200});
    CHECK(send_and_read(server, post(te, "zz\r\nabc\r\n0\r\n\r\n")) == std::vector<int>{400});
    CHECK(send_and_read(server, post(te, "-3\r\nabc\r\n0\r\n\r\n")) == std::vector<int>{400});
    CHECK(send_and_read(server, post(te, "fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n")) ==
          std::vector<int>{400});
    CHECK(send_and_read(server, post(te, "3\r\nabcdef\r\n0\r\n\r\n")) == std::vector<int>{400});
    // Within the per-chunk limits but past the body limit in total (16 KiB): 413.
    std::string many;
    for (int i = 0; i < 20; ++i) many += "400\r\n" + std::string(1024, 'x') + "\r\n";
    CHECK(send_and_read(server, post(te, many + "0\r\n\r\n")) == std::vector<int>{413});
}

TEST_CASE("Host: HTTP/1.1 without one or with two is 400, HTTP/1.0 may go without", "[http]") {
    ServerThread server(test_router());
    CHECK(send_and_read(server, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n") ==
          std::vector<int>{400});
    CHECK(send_and_read(server, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") ==
          std::vector<int>{400});
    CHECK(send_and_read(server, "GET /healthz HTTP/1.1\r\nHost: a b\r\n\r\n") ==
          std::vector<int>{400});
    CHECK(send_and_read(server, "GET /healthz HTTP/1.0\r\n\r\n") == std::vector<int>{200});
    CHECK(send_and_read(server, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") ==
          std::vector<int>{200});
}
