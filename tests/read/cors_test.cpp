// The analytics API's CORS rules without a server: listed origins only, preflights without a token.
#include "read/cors.hpp"

#include <catch2/catch.hpp>
#include <string>

using ff::http::Request;
using ff::http::Response;
using ff::read::CorsPolicy;

namespace {

std::string header(const Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "<none>";
}

Request request(std::string method, std::vector<std::pair<std::string, std::string>> headers) {
    return Request{std::move(method), "/analytics/fuel-fills", std::move(headers), ""};
}

}  // namespace

TEST_CASE("a listed origin may read the answer, any other gets no CORS header", "[read]") {
    const CorsPolicy cors({"https://fleetops.example.com", "http://localhost:5173"});
    Response listed;
    cors.decorate(request("GET", {{"Origin", "https://fleetops.example.com"}}), listed);
    CHECK(header(listed, "Access-Control-Allow-Origin") == "https://fleetops.example.com");
    CHECK(header(listed, "Vary") == "Origin");
    CHECK(header(listed, "Access-Control-Expose-Headers").find("Content-Disposition") !=
          std::string::npos);

    for (const char* other : {"https://evil.example.com", "https://fleetops.example.com:8443",
                              "http://fleetops.example.com", "null", ""}) {
        INFO(other);
        Response r;
        cors.decorate(request("GET", {{"Origin", other}}), r);
        CHECK(header(r, "Access-Control-Allow-Origin") == "<none>");
        CHECK(header(r, "Vary") == "Origin");  // a cache must not mix the two answers
    }
}

TEST_CASE("without an allow-list no CORS header is added at all", "[read]") {
    const CorsPolicy cors({});
    Response r;
    cors.decorate(request("GET", {{"Origin", "https://fleetops.example.com"}}), r);
    CHECK(r.headers.empty());
    const auto pre = cors.preflight(request("OPTIONS", {{"Origin", "https://fleetops.example.com"},
                                                        {"Access-Control-Request-Method", "GET"}}));
    CHECK(pre.status == 204);
    CHECK(header(pre, "Access-Control-Allow-Origin") == "<none>");
}

TEST_CASE("a preflight from a listed origin allows GET with the Authorization header", "[read]") {
    const CorsPolicy cors({"https://fleetops.example.com"});
    const auto ok =
        cors.preflight(request("OPTIONS", {{"Origin", "https://fleetops.example.com"},
                                           {"Access-Control-Request-Method", "GET"},
                                           {"Access-Control-Request-Headers", "authorization"}}));
    CHECK(ok.status == 204);
    CHECK(header(ok, "Access-Control-Allow-Origin") == "https://fleetops.example.com");
    CHECK(header(ok, "Access-Control-Allow-Methods") == "GET, HEAD");
    CHECK(header(ok, "Access-Control-Allow-Headers") == "Authorization");
    CHECK(header(ok, "Access-Control-Max-Age") == "600");

    // The API is read-only: a preflight for another method, or from another origin, is not allowed.
    const auto post =
        cors.preflight(request("OPTIONS", {{"Origin", "https://fleetops.example.com"},
                                           {"Access-Control-Request-Method", "POST"}}));
    CHECK(header(post, "Access-Control-Allow-Origin") == "<none>");
    const auto other =
        cors.preflight(request("OPTIONS", {{"Origin", "https://evil.example.com"},
                                           {"Access-Control-Request-Method", "GET"}}));
    CHECK(other.status == 204);
    CHECK(header(other, "Access-Control-Allow-Origin") == "<none>");
    CHECK(header(other, "Allow") == "GET, HEAD, OPTIONS");
}
