// Fuzz target: Beast's request parser with the server's limits (8 KiB header, 16 KiB body), fed
// in pieces as a connection would, one fresh parser per pipelined request, each complete request
// routed. Properties: no crash, no message beyond the limits, the router never throws.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstring>
#include <memory>
#include <string>

#include "fuzz_targets.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"

namespace fffuzz {

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;

ff::http::Response route(const bhttp::request<bhttp::string_body>& req) {
    static const ff::http::Router r = ff::http::default_router(ff::http::Context{
        [] { return ff::metrics::HealthState{}; },
        [] { return std::string("fleetfuel_up 1\n"); },
    });
    ff::http::Request request{
        std::string(req.method_string()), std::string(req.target()), {}, req.body()};
    for (const auto& field : req) request.headers.emplace_back(field.name_string(), field.value());
    return r.respond(request);
}

}  // namespace

int http_parser_one_input(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const ff::http::ServerOptions limits;
    const std::size_t piece = 1 + data[0] % 97;  // bytes per read, as from a slow socket
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

    beast::flat_buffer buffer;
    auto parser = std::make_unique<bhttp::request_parser<bhttp::string_body>>();
    const auto fresh_parser = [&] {
        parser = std::make_unique<bhttp::request_parser<bhttp::string_body>>();
        parser->header_limit(limits.header_limit);
        parser->body_limit(limits.body_limit);
        parser->eager(true);
    };
    fresh_parser();
    int requests = 0;
    for (;;) {
        beast::error_code ec;
        const std::size_t used = parser->put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == bhttp::error::need_more || (!ec && used == 0 && !parser->is_done())) {
            if (input.empty()) break;  // the client stopped sending
            const std::size_t n = std::min(piece, input.size());
            const auto dst = buffer.prepare(n);
            std::memcpy(dst.data(), input.data(), n);
            buffer.commit(n);
            input.remove_prefix(n);
            continue;
        }
        if (ec) break;  // the server answers 4xx (or nothing) and closes
        if (parser->is_done()) {
            const auto& req = parser->get();
            check(req.body().size() <= limits.body_limit, "body beyond the limit");
            (void)route(req);
            ++requests;
            if (!req.keep_alive() || requests > 1000) break;
            fresh_parser();
        }
    }
    return 0;
}

}  // namespace fffuzz

FF_FUZZ_ENTRY(http_parser_one_input)
