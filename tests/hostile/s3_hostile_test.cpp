// The S3 client against a hostile server: gigantic and never-ending bodies, wrong Content-Length,
// stalls, invalid XML, redirects and non-HTTP replies. Each ends in a typed S3Error (or the
// exact bytes promised), within bounded memory, and a redirect is never followed.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "hostile_s3_server.hpp"
#include "s3/errors.hpp"
#include "s3/s3_client.hpp"
#include "support/process_memory.hpp"

namespace {

namespace net = boost::asio;
using ff::s3::ErrorKind;
using ff::s3::S3Error;
using fftest::HostileS3Server;
using tcp = net::ip::tcp;

constexpr std::uint64_t kMaxObject = 1 << 20;
constexpr long kMemoryBoundKib = 64 * 1024;

ff::s3::S3Options options(const HostileS3Server& server) {
    ff::s3::S3Options o;
    o.endpoint = server.endpoint();
    o.access_key = "hostile-access";
    o.secret_key = "hostile-secret-key-Qm3";
    o.bucket = "fuel";
    o.connect_timeout = std::chrono::milliseconds(1'000);
    o.read_timeout = std::chrono::milliseconds(700);
    o.max_attempts = 2;
    o.backoff_base = std::chrono::milliseconds(1);
    o.backoff_cap = std::chrono::milliseconds(5);
    o.max_object_bytes = kMaxObject;
    return o;
}

struct Outcome {
    std::optional<S3Error> error;
    std::string body;  // what the consumer received
    std::size_t listed = 0;
};

Outcome get(const HostileS3Server& server, const std::string& key = "fuel_records/latest.json") {
    net::io_context io;
    auto client = ff::s3::make_s3_client(io.get_executor(), options(server));
    Outcome out;
    auto task = [&]() -> net::awaitable<void> {
        co_await client->get(key, {}, [&](std::string_view chunk) -> net::awaitable<void> {
            out.body += chunk;
            co_return;
        });
    };
    auto done = net::co_spawn(io, task(), net::use_future);
    io.run();
    try {
        done.get();
    } catch (const S3Error& e) {
        out.error = e;
    }
    return out;
}

Outcome list(const HostileS3Server& server) {
    net::io_context io;
    auto client = ff::s3::make_s3_client(io.get_executor(), options(server));
    Outcome out;
    auto task = [&]() -> net::awaitable<void> {
        out.listed = (co_await client->list("fuel_records/", "")).size();
    };
    auto done = net::co_spawn(io, task(), net::use_future);
    io.run();
    try {
        done.get();
    } catch (const S3Error& e) {
        out.error = e;
    }
    return out;
}

std::string head(int status, const std::string& extra) {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nETag: \"e1\"\r\n" +
           "Last-Modified: Wed, 01 May 2024 12:00:00 GMT\r\n" + extra + "\r\n";
}

// Writes `piece` until the client goes away or the server stops.
void endless(tcp::socket& socket, const std::string& piece) {
    while (HostileS3Server::write(socket, piece)) {
    }
}

// One chunk of a chunked body.
std::string chunk(const std::string& data) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
}

std::string kind_of(const Outcome& o) {
    return o.error ? ff::s3::to_string(o.error->kind()) : "success";
}

}  // namespace

TEST_CASE("an object announced as 10 GB is refused as too large before its body is read",
          "[hostile][s3]") {
    HostileS3Server server([](tcp::socket& s, const std::string&) {
        if (HostileS3Server::write(s, head(200, "Content-Length: 10000000000\r\n")))
            endless(s, std::string(64 * 1024, 'x'));
    });
    const long before = fftest::rss_kib();
    const Outcome o = get(server);
    CHECK(kind_of(o) == "too_large");
    CHECK(o.body.empty());
    CHECK(fftest::rss_kib() - before <= kMemoryBoundKib);
}

TEST_CASE("a never-ending chunked object stops at max_object_bytes with too_large",
          "[hostile][s3]") {
    const std::string chunk = std::string("10000\r\n") + std::string(0x10000, 'y') + "\r\n";
    HostileS3Server server([&](tcp::socket& s, const std::string&) {
        if (HostileS3Server::write(s, head(200, "Transfer-Encoding: chunked\r\n")))
            endless(s, chunk);
    });
    const long before = fftest::rss_kib();
    const Outcome o = get(server);
    CHECK(kind_of(o) == "too_large");
    CHECK(o.body.size() <= kMaxObject);
    CHECK(fftest::rss_kib() - before <= kMemoryBoundKib);
}

TEST_CASE("a never-ending listing is cut off with too_large, not buffered without end",
          "[hostile][s3]") {
    HostileS3Server server([](tcp::socket& s, const std::string&) {
        if (!HostileS3Server::write(s, head(200, "Transfer-Encoding: chunked\r\n") +
                                           chunk("<ListBucketResult><Contents><Key>a</Key>")))
            return;
        endless(s, chunk("<!--" + std::string(4000, 'x') + "-->"));
    });
    const long before = fftest::rss_kib();
    const Outcome o = list(server);
    CHECK(kind_of(o) == "too_large");
    // Listings are collected in memory up to the transport's 32 MiB cap; a growing string may
    // briefly hold twice that.
    CHECK(fftest::rss_kib() - before <= 2 * kMemoryBoundKib);
}

TEST_CASE("a body shorter than its Content-Length is a short_body error, never a short object",
          "[hostile][s3]") {
    HostileS3Server server([](tcp::socket& s, const std::string&) {
        HostileS3Server::write(s, head(200, "Content-Length: 1000\r\n") + "0123456789");
    });
    const Outcome o = get(server);
    REQUIRE(o.error);
    CHECK((o.error->kind() == ErrorKind::short_body || o.error->kind() == ErrorKind::bad_response));
}

TEST_CASE("bytes beyond the Content-Length are not delivered as part of the object",
          "[hostile][s3]") {
    HostileS3Server server([](tcp::socket& s, const std::string&) {
        HostileS3Server::write(
            s, head(200, "Content-Length: 10\r\n") + "0123456789" + std::string(5000, 'z'));
    });
    const Outcome o = get(server);
    CHECK_FALSE(o.error);
    CHECK(o.body == "0123456789");
}

TEST_CASE("a server that stalls mid-body or before answering gives a timeout error",
          "[hostile][s3]") {
    HostileS3Server mid_body([](tcp::socket& s, const std::string&) {
        HostileS3Server::write(s, head(200, "Content-Length: 100\r\n") + "abc");
        std::this_thread::sleep_for(std::chrono::milliseconds(2'000));
    });
    CHECK(kind_of(get(mid_body)) == "timeout");

    HostileS3Server silent([](tcp::socket&, const std::string&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2'000));
    });
    CHECK(kind_of(get(silent)) == "timeout");
}

TEST_CASE("listings that are not XML, or not a listing, fail with bad_response", "[hostile][s3]") {
    for (const std::string body :
         {"<ListBucketResult><Contents><Key>a</Key>", "not xml at all", "<html>502</html>",
          "<ListBucketResult><Contents><Key>a</Key><Size>-5</Size></Contents></ListBucketResult>",
          "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
          "\"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
          "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e "
          "\"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
          "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">]>"  // 10^7 bytes per &g;: expat's cap
          "<ListBucketResult><Contents><Key>&g;&g;&g;&g;&g;&g;</Key></Contents>"
          "</ListBucketResult>"}) {
        INFO(body.substr(0, 50));
        HostileS3Server server([&](tcp::socket& s, const std::string&) {
            HostileS3Server::write(
                s, head(200, "Content-Length: " + std::to_string(body.size()) + "\r\n") + body);
        });
        const long before = fftest::rss_kib();
        const Outcome o = list(server);
        CHECK(kind_of(o) == "bad_response");
        CHECK(fftest::rss_kib() - before <= kMemoryBoundKib);
    }
}

TEST_CASE("redirects are errors and their Location is never contacted", "[hostile][s3]") {
    HostileS3Server elsewhere([](tcp::socket& s, const std::string&) {
        HostileS3Server::write(s, head(200, "Content-Length: 2\r\n") + "hi");
    });
    for (const int status : {301, 302, 307, 308}) {
        INFO("status " << status);
        HostileS3Server server([&](tcp::socket& s, const std::string&) {
            HostileS3Server::write(s, head(status, "Location: " + elsewhere.endpoint() +
                                                       "/fuel/fuel_records/latest.json\r\n"
                                                       "Content-Length: 0\r\n"));
        });
        const Outcome g = get(server);
        REQUIRE(g.error);
        CHECK(g.error->http_status() == status);
        CHECK(g.body.empty());
        const Outcome l = list(server);
        CHECK(l.error);
    }
    CHECK(elsewhere.requests() == 0);
}

TEST_CASE("replies that are not HTTP, or have a gigantic header, fail cleanly", "[hostile][s3]") {
    for (const std::string& reply :
         {std::string("SSH-2.0-OpenSSH_9.2\r\n"), std::string("HTTP/1.1 200\r\n\r\n"),
          std::string("HTTP/1.1 999 What\r\nContent-Length: 0\r\n\r\n"),
          "HTTP/1.1 200 OK\r\nX-Big: " + std::string(4 << 20, 'h') + "\r\n\r\n",
          std::string("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
          std::string("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n12345")}) {
        INFO(reply.substr(0, 40));
        HostileS3Server server(
            [&](tcp::socket& s, const std::string&) { HostileS3Server::write(s, reply); });
        const long before = fftest::rss_kib();
        const Outcome o = get(server);
        CHECK(o.error);
        CHECK(fftest::rss_kib() - before <= kMemoryBoundKib);
    }
}

TEST_CASE("the secret key is never sent, so even an echoing server cannot reveal it",
          "[hostile][s3]") {
    std::string seen;
    HostileS3Server server([&](tcp::socket& s, const std::string& request) {
        seen += request;
        // Echo the request, Authorization header included, back as the error message.
        const std::string body =
            "<Error><Code>AccessDenied</Code><Message>" + request + "</Message></Error>";
        HostileS3Server::write(
            s, head(403, "Content-Length: " + std::to_string(body.size()) + "\r\n") + body);
    });
    const Outcome o = get(server);
    REQUIRE(o.error);
    CHECK(seen.find("Authorization") != std::string::npos);
    CHECK(seen.find("hostile-secret-key-Qm3") == std::string::npos);
    CHECK(std::string(o.error->what()).find("hostile-secret-key-Qm3") == std::string::npos);
}
