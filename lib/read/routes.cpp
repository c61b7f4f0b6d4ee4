// Handlers of the read side: CORS, bearer check, parameter validation, bounded queries per request.
#include "read/routes.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

#include "core/json_escape.hpp"
#include "read/cors.hpp"
#include "read/csv_export.hpp"
#include "read/fuel_log_page.hpp"
#include "read/params.hpp"
#include "read/queries.hpp"
#include "read/query_runner.hpp"

namespace ff::read {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using http::Route;
using http::Router;

// Builds an endpoint's statement from its query string, or says which parameter is wrong.
using Build = std::variant<Statement, ParamError> (*)(const QueryMap&);

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

std::variant<Statement, ParamError> build_efficiency(const QueryMap& q) {
    auto f = parse_vehicle_filter(q);
    if (auto* e = std::get_if<ParamError>(&f)) return *e;
    return efficiency_statement(std::get<FillsFilter>(f));
}

std::variant<Statement, ParamError> build_attention(const QueryMap& q) {
    auto a = parse_attention(q);
    if (auto* e = std::get_if<ParamError>(&a)) return *e;
    return attention_statement(std::get<AttentionQuery>(a));
}

// The analytics endpoints: a new one is a row here (and its statement in queries.cpp). Every row
// gets the same treatment from serve(): the token, the parameters validated before anything
// reaches the database, and one statement run within the runner's bounds.
struct Endpoint {
    std::string_view path;
    Build build;
};
constexpr Endpoint kEndpoints[] = {
    {"/analytics/fuel-fills", build_fills},
    {"/analytics/fuel-fills/recent", build_recent},
    {"/analytics/fuel-fills/efficiency", build_efficiency},
    {"/analytics/fuel-fills/attention", build_attention},
    {"/analytics/filters", build_filters},
};
// The period's fills as CSV, streamed (csv_export.hpp); the same filters as /fuel-fills.
constexpr std::string_view kCsvPath = "/analytics/fuel-fills.csv";

struct State {
    State(net::any_io_executor ex, RunnerOptions o, std::string t, std::vector<std::string> origins)
        : runner(std::move(ex), std::move(o)), token(std::move(t)), cors(std::move(origins)) {}
    QueryRunner runner;
    std::string token;
    CorsPolicy cors;
};

Response json(int status, std::string body) {
    body += '\n';
    return Response{status, "application/json", std::move(body), {{"Cache-Control", "no-store"}}};
}

Response error_response(int status, std::string_view message) {
    auto r = json(status, "{\"error\":" + json::quote(message) + "}");
    if (status == 503) r.headers.emplace_back("Retry-After", "1");
    return r;
}

Response bad_request(const ParamError& e) {
    return json(400, "{\"error\":" + json::quote(e.message) +
                         ",\"parameter\":" + json::quote(e.parameter) + "}");
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// `Bearer <token>`: the scheme in any case and one or more spaces (RFC 9110 §11.1, §11.4). The
// comparison takes constant time in the token's content, so a wrong guess does not reveal a
// matching prefix.
bool authorised(const Request& request, const std::string& token) {
    if (token.empty()) return true;
    constexpr std::string_view scheme = "Bearer";
    std::string_view header = request.header("Authorization");
    if (header.size() <= scheme.size() || !iequals(header.substr(0, scheme.size()), scheme) ||
        header[scheme.size()] != ' ')
        return false;
    auto credentials = header.substr(scheme.size());
    while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
    if (credentials.size() != token.size()) return false;
    return CRYPTO_memcmp(credentials.data(), token.data(), token.size()) == 0;
}

Response unauthorised() {
    auto r = error_response(401, "a bearer token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"fleetfuel\"");
    return r;
}

net::awaitable<Response> answer_json(std::shared_ptr<State> state, const Request& request,
                                     Build build) {
    auto query = parse_query(request.query());
    if (auto* e = std::get_if<ParamError>(&query)) co_return bad_request(*e);
    auto statement = build(std::get<QueryMap>(query));
    if (auto* e = std::get_if<ParamError>(&statement)) co_return bad_request(*e);
    auto answer = co_await state->runner.run(std::get<Statement>(std::move(statement)));
    if (answer.status == 200) co_return json(200, std::move(answer.text));
    co_return error_response(answer.status, answer.text);
}

net::awaitable<Response> answer_csv(std::shared_ptr<State> state, const Request& request) {
    auto query = parse_query(request.query());
    if (auto* e = std::get_if<ParamError>(&query)) co_return bad_request(*e);
    auto filter = parse_fills_filter(std::get<QueryMap>(query));
    if (auto* e = std::get_if<ParamError>(&filter)) co_return bad_request(*e);
    // The runner lives as long as the state; the export's later batches keep both alive.
    std::shared_ptr<QueryRunner> runner(state, &state->runner);
    auto started = co_await start_fills_csv(std::move(runner), std::get<FillsFilter>(filter));
    if (auto* response = std::get_if<Response>(&started)) co_return std::move(*response);
    const auto& failure = std::get<QueryAnswer>(started);
    co_return error_response(failure.status, failure.text);
}

// Every analytics request: the preflight (without a token, as browsers send it), the token, then
// the endpoint's own answer (`build`, or the CSV export without one); CORS headers on each.
net::awaitable<Response> serve(std::shared_ptr<State> state, const Request& request, Build build) {
    if (request.method == "OPTIONS") co_return state->cors.preflight(request);
    Response response;
    if (!authorised(request, state->token))
        response = unauthorised();
    else if (build)
        response = co_await answer_json(state, request, build);
    else
        response = co_await answer_csv(state, request);
    state->cors.decorate(request, response);
    co_return response;
}

Route analytics_route(std::string_view path, Build build, std::shared_ptr<State> state) {
    Route r;
    r.path = std::string(path);
    r.methods = {"GET", "OPTIONS"};
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
    if (options.reader_role.empty())
        throw std::invalid_argument(
            "the analytics API needs FUEL_READER_ROLE: it never reads with the writer's rights");
    RunnerOptions runner;
    runner.connect.conninfo = std::move(options.database_url);
    runner.connect.connect_timeout = options.connect_timeout;
    runner.connect.application_name = "fleetfuel-analytics";
    runner.connect.role = std::move(options.reader_role);
    runner.connect.read_only = true;
    runner.connections = options.connections;
    runner.queue = options.queue;
    runner.timeout = options.timeout;
    runner.on_refused = std::move(options.on_refused);
    auto state = std::make_shared<State>(std::move(executor), std::move(runner),
                                         std::move(options.token), std::move(options.cors_origins));

    for (const auto& endpoint : kEndpoints)
        router.add(analytics_route(endpoint.path, endpoint.build, state));
    router.add(analytics_route(kCsvPath, nullptr, state));
    Route root;
    root.path = "/";
    root.handler = page;
    router.add(std::move(root));
}

}  // namespace ff::read
