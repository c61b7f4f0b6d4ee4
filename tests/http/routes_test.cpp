// Routing without sockets: status codes, content types and the extension point.
#include "http/routes.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "metrics/exposition.hpp"

namespace {

using ff::http::Request;
using ff::http::Response;

ff::http::Context context(bool db_reachable = true) {
    ff::http::Context c;
    c.health = [db_reachable] {
        ff::metrics::HealthState s;
        s.role = ff::metrics::Role::standby;
        s.db_reachable = db_reachable;
        return s;
    };
    c.render_metrics = [] { return std::string("up 1\n"); };
    return c;
}

Request get(std::string target) {
    return Request{"GET", std::move(target), {}, {}};
}

std::string header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

}  // namespace

TEST_CASE("the three built-in paths answer GET") {
    const auto router = ff::http::default_router(context());
    const auto health = router.respond(get("/healthz"));
    CHECK(health.status == 200);
    CHECK(health.content_type == "application/json");
    CHECK(health.body.starts_with("{\"status\":\"ok\""));
    CHECK(router.respond(get("/readyz")).status == 200);
    const auto metrics = router.respond(get("/metrics"));
    CHECK(metrics.status == 200);
    CHECK(metrics.content_type == ff::metrics::kExpositionContentType);
    CHECK(metrics.body == "up 1\n");
}

TEST_CASE("readyz answers 503 with the health JSON when the database is unreachable") {
    const auto router = ff::http::default_router(context(false));
    const auto ready = router.respond(get("/readyz"));
    CHECK(ready.status == 503);
    CHECK(ready.body.starts_with("{\"status\":\"not_ready\""));
    CHECK(router.respond(get("/healthz")).status == 200);
}

TEST_CASE("an unknown path is 404 and a trailing slash is a different path") {
    const auto router = ff::http::default_router(context());
    CHECK(router.respond(get("/")).status == 404);
    CHECK(router.respond(get("/metrics/")).status == 404);
    CHECK(router.respond(get("/healthzz")).status == 404);
    CHECK(router.respond(Request{"POST", "/nowhere", {}, {}}).status == 404);
}

TEST_CASE("another method on a known path is 405 with an Allow header, HEAD is allowed") {
    const auto router = ff::http::default_router(context());
    const auto post = router.respond(Request{"POST", "/metrics", {}, "x"});
    CHECK(post.status == 405);
    CHECK(header(post, "Allow") == "GET, HEAD");
    CHECK(router.respond(Request{"DELETE", "/healthz", {}, {}}).status == 405);
    CHECK(router.respond(Request{"HEAD", "/healthz", {}, {}}).status == 200);
}

TEST_CASE("query strings are ignored when routing") {
    const auto router = ff::http::default_router(context());
    CHECK(router.respond(get("/metrics?name[]=fleetfuel_db_up")).status == 200);
    CHECK(router.respond(get("/healthz?")).status == 200);
    const Request r = get("/x?a=1#frag");
    CHECK(r.path() == "/x");
    CHECK(r.query() == "a=1");
}

TEST_CASE("the daemon can add routes: exact paths win over prefixes, longest prefix first") {
    auto router = ff::http::default_router(context());
    auto says = [](std::string what) {
        return [what](const Request&) { return Response{200, "text/plain", what, {}}; };
    };
    router.add({"/api/", true, {"GET", "POST"}, says("api"), {}});
    router.add({"/api/v1/", true, {"GET"}, says("v1"), {}});
    router.add({"/api/v1/health", false, {"GET"}, says("exact"), {}});
    CHECK(router.respond(get("/api/anything")).body == "api");
    CHECK(router.respond(Request{"POST", "/api/x", {}, "{}"}).body == "api");
    CHECK(router.respond(get("/api/v1/records?limit=5")).body == "v1");
    CHECK(router.respond(get("/api/v1/health")).body == "exact");
    CHECK(router.respond(Request{"POST", "/api/v1/x", {}, {}}).status == 405);
    CHECK(router.respond(get("/apix")).status == 404);
}

TEST_CASE("request headers are found whatever their case") {
    const Request r{"GET", "/", {{"Authorization", "Bearer t"}}, {}};
    CHECK(r.header("authorization") == "Bearer t");
    CHECK(r.header("x-missing").empty());
}
