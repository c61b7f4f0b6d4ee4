// RFC 9112's header rules without a socket: Host, Transfer-Encoding, Content-Length beside it.
#include "http/framing.hpp"

#include <catch2/catch.hpp>

using ff::http::check_framing;
using ff::http::HeaderFields;

namespace {

// The status check_framing asks for, or 0 when the header passes.
int status(unsigned version, const HeaderFields& fields) {
    const auto e = check_framing(version, fields);
    return e ? e->status : 0;
}

}  // namespace

TEST_CASE("HTTP/1.1 needs exactly one valid Host, HTTP/1.0 may go without", "[http]") {
    CHECK(status(11, {{"Host", "fleetfuel:8080"}}) == 0);
    CHECK(status(11, {{"host", "[::1]:8080"}}) == 0);
    CHECK(status(11, {{"Host", ""}}) == 0);  // allowed when the target has no authority
    CHECK(status(10, {}) == 0);
    CHECK(status(11, {}) == 400);
    CHECK(status(11, {{"Host", "a"}, {"Host", "a"}}) == 400);
    CHECK(status(10, {{"Host", "a"}, {"HOST", "b"}}) == 400);
    CHECK(status(11, {{"Host", "a b"}}) == 400);
    CHECK(status(11, {{"Host", "a/b"}}) == 400);
}

TEST_CASE("Transfer-Encoding must end with chunked, once, or the request is refused", "[http]") {
    const auto te = [](std::string_view value) {
        return status(11, {{"Host", "x"}, {"Transfer-Encoding", value}});
    };
    CHECK(te("chunked") == 0);
    CHECK(te("Chunked") == 0);
    CHECK(te(" chunked ") == 0);
    CHECK(te("xchunked") == 400);
    CHECK(te("chunkedx") == 400);
    CHECK(te("identity") == 400);
    CHECK(te("chunked, identity") == 400);
    CHECK(te("gzip") == 400);
    CHECK(te("chunked, chunked") == 400);
    CHECK(te("chunked;q=1") == 400);
    CHECK(te("") == 400);
    CHECK(te(",") == 400);
    // Well framed, but a coding we do not decode: 501.
    CHECK(te("gzip, chunked") == 501);
    CHECK(te("gzip,,chunked") == 501);
}

TEST_CASE("Transfer-Encoding lines combine, and never go with Content-Length or HTTP/1.0",
          "[http]") {
    CHECK(status(11, {{"Host", "x"},
                      {"Transfer-Encoding", "gzip"},
                      {"Transfer-Encoding", "chunked"}}) == 501);
    CHECK(status(11, {{"Host", "x"},
                      {"Transfer-Encoding", "chunked"},
                      {"Transfer-Encoding", "identity"}}) == 400);
    CHECK(status(11, {{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}) ==
          400);
    CHECK(status(11, {{"Host", "x"}, {"Content-Length", "5"}, {"Transfer-Encoding", "identity"}}) ==
          400);
    CHECK(status(10, {{"Transfer-Encoding", "chunked"}}) == 400);
    CHECK(status(11, {{"Host", "x"}, {"Content-Length", "5"}}) == 0);
}
