// Handlers of the read side: bearer check, parameter validation, one pooled query per request.
#include "read/routes.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "core/json_escape.hpp"
#include "read/fuel_log_page.hpp"
#include "read/params.hpp"
#include "read/pool.hpp"
#include "read/queries.hpp"

namespace ff::read {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using http::Route;
using http::Router;

struct State {
    std::shared_ptr<ConnectionPool> pool;
    std::string token;
    std::chrono::milliseconds acquire_wait;
};

Response json(int status, std::string body) {
    body += '\n';
    return Response{status, "application/json", std::move(body), {{"Cache-Control", "no-store"}}};
}

Response error_response(int status, std::string_view message) {
    return json(status, "{\"error\":" + json::quote(message) + "}");
}

Response bad_request(const ParamError& e) {
    return json(400, "{\"error\":" + json::quote(e.message) +
                         ",\"parameter\":" + json::quote(e.parameter) + "}");
}

// Constant time in the token's content, so a wrong guess does not reveal a matching prefix.
bool authorised(const Request& request, const std::string& token) {
    if (token.empty()) return true;
    constexpr std::string_view scheme = "Bearer ";
    const auto header = request.header("Authorization");
    if (header.size() != scheme.size() + token.size() || !header.starts_with(scheme)) return false;
    return CRYPTO_memcmp(header.data() + scheme.size(), token.data(), token.size()) == 0;
}

Response unauthorised() {
    auto r = error_response(401, "a bearer token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"fleetfuel\"");
    return r;
}

// Runs one statement on a pooled connection; its single cell is the response body.
net::awaitable<Response> run_json(std::shared_ptr<State> state, Statement statement) {
    std::string failure;
    int status = 503;
    try {
        auto lease = co_await state->pool->acquire(state->acquire_wait);
        auto result = co_await lease->exec(statement.sql, std::move(statement.params));
        if (result.rows() == 1 && !result.is_null(0, 0))
            co_return json(200, std::string(result.get(0, 0)));
        failure = "the query returned no document";
        status = 500;
    } catch (const db::DbError& e) {
        // 57014: statement_timeout; the connection stays usable and goes back to the pool.
        status = e.sqlstate() == "57014" ? 504 : 503;
        failure = e.what();
    } catch (const PoolTimeout& e) {
        failure = e.what();
    }
    spdlog::warn("analytics query failed: {}", failure);
    co_return error_response(
        status, status == 504 ? "the query took too long" : "the database is not available");
}

using Build = std::variant<Statement, ParamError> (*)(const QueryMap&);

net::awaitable<Response> serve(std::shared_ptr<State> state, const Request& request, Build build) {
    if (!authorised(request, state->token)) co_return unauthorised();
    auto query = parse_query(request.query());
    if (auto* e = std::get_if<ParamError>(&query)) co_return bad_request(*e);
    auto statement = build(std::get<QueryMap>(query));
    if (auto* e = std::get_if<ParamError>(&statement)) co_return bad_request(*e);
    co_return co_await run_json(std::move(state), std::get<Statement>(std::move(statement)));
}

std::variant<Statement, ParamError> build_fills(const QueryMap& q) {
    auto f = parse_fills_filter(q);
    if (auto* e = std::get_if<ParamError>(&f)) return *e;
    return fuel_fills_statement(std::get<FillsFilter>(f));
}

std::variant<Statement, ParamError> build_recent(const QueryMap& q) {
    auto limit = parse_limit(q);
    if (auto* e = std::get_if<ParamError>(&limit)) return *e;
    auto subject = parse_subject(q);
    if (auto* e = std::get_if<ParamError>(&subject)) return *e;
    return recent_fills_statement(std::get<FillsFilter>(subject), std::get<int>(limit));
}

std::variant<Statement, ParamError> build_filters(const QueryMap&) {
    return filters_statement();
}

Route json_route(std::string path, std::shared_ptr<State> state, Build build) {
    Route r;
    r.path = std::move(path);
    r.async_handler = [state = std::move(state), build](const Request& request) {
        return serve(state, request, build);
    };
    return r;
}

Response page(const Request&) {
    // The page carries no data, so it is served without the token; its script asks for one.
    return Response{200,
                    "text/html; charset=utf-8",
                    std::string(fuel_log_html()),
                    {{"Cache-Control", "no-cache"},
                     {"X-Content-Type-Options", "nosniff"},
                     {"Content-Security-Policy",
                      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                      "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"}}};
}

}  // namespace

void add_analytics_routes(Router& router, net::any_io_executor executor, AnalyticsOptions options) {
    db::ConnectOptions connect;
    connect.conninfo = std::move(options.database_url);
    connect.statement_timeout = options.statement_timeout;
    connect.application_name = "fleetfuel-analytics";
    auto state = std::make_shared<State>();
    state->pool = std::make_shared<ConnectionPool>(std::move(executor), std::move(connect),
                                                   options.pool_size);
    state->token = std::move(options.token);
    state->acquire_wait = options.statement_timeout;

    router.add(json_route("/analytics/fuel-fills", state, build_fills));
    router.add(json_route("/analytics/fuel-fills/recent", state, build_recent));
    router.add(json_route("/analytics/filters", state, build_filters));
    Route root;
    root.path = "/";
    root.handler = page;
    router.add(std::move(root));
}

}  // namespace ff::read
