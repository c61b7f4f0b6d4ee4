// Fuzz target: the router of the health/metrics server on arbitrary method, target and headers.
// Properties: it never throws; it answers only 200, 404, 405 (with Allow) or 503; /healthz is
// answered whatever else the request carries.
#include <string>

#include "fuzz_input.hpp"
#include "fuzz_targets.hpp"
#include "http/routes.hpp"

namespace fffuzz {

namespace {

const ff::http::Router& router() {
    static const ff::http::Router r = ff::http::default_router(ff::http::Context{
        [] {
            ff::metrics::HealthState state;
            state.db_reachable = true;
            return state;
        },
        [] { return std::string("# TYPE fleetfuel_up gauge\nfleetfuel_up 1\n"); },
    });
    return r;
}

}  // namespace

int http_routes_one_input(const std::uint8_t* data, std::size_t size) {
    Input in(data, size);
    ff::http::Request request;
    request.method = in.field();
    request.target = in.field();
    const int header_count = in.byte() % 8;
    for (int i = 0; i < header_count; ++i) request.headers.emplace_back(in.field(), in.field());
    request.body = in.rest();

    (void)request.path();
    (void)request.query();
    (void)request.header("host");
    const ff::http::Response response = router().respond(request);
    const int s = response.status;
    check(
        s == 200 || s == 404 || s == 405 || s == 503,
        "unexpected status " + std::to_string(s) + " for " + request.method + " " + request.target);
    if (s == 405) {
        bool allow = false;
        for (const auto& [name, value] : response.headers) allow = allow || name == "Allow";
        check(allow, "405 without Allow");
    }
    return 0;
}

}  // namespace fffuzz

FF_FUZZ_ENTRY(http_routes_one_input)
