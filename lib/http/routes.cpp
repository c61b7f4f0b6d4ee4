// Routing table and the three built-in handlers; no I/O here, so every branch is unit-testable.
#include "http/routes.hpp"

#include <algorithm>

#include "metrics/exposition.hpp"

namespace ff::http {
namespace {

constexpr std::string_view kJson = "application/json";

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool allows(const Route& route, std::string_view method) {
    for (const auto& m : route.methods) {
        if (m == method || (method == "HEAD" && m == "GET")) return true;
    }
    return false;
}

std::string allow_header(const Route& route) {
    std::string out;
    for (const auto& m : route.methods) {
        if (!out.empty()) out += ", ";
        out += m;
        if (m == "GET") out += ", HEAD";
    }
    return out;
}

Response text(int status, std::string body) {
    return Response{status, "text/plain; charset=utf-8", std::move(body), {}};
}

Response json_report(const metrics::HealthReport& report) {
    // Health answers must never be cached by a proxy: they are only true right now.
    return Response{
        report.status, std::string(kJson), report.body + "\n", {{"Cache-Control", "no-store"}}};
}

}  // namespace

std::string_view Request::path() const {
    std::string_view t(target);
    return t.substr(0, t.find_first_of("?#"));
}

std::string_view Request::query() const {
    std::string_view t(target);
    const auto q = t.find('?');
    if (q == std::string_view::npos) return {};
    const auto rest = t.substr(q + 1);
    return rest.substr(0, rest.find('#'));
}

std::string_view Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) return v;
    }
    return {};
}

void Router::add(Route route) {
    routes_.push_back(std::move(route));
}

const Route* Router::find(std::string_view path) const {
    const Route* best = nullptr;
    for (const auto& r : routes_) {
        if (!r.prefix && r.path == path) return &r;
        if (r.prefix && path.starts_with(r.path) && (!best || r.path.size() > best->path.size()))
            best = &r;
    }
    return best;
}

const Route* Router::match(const Request& request, Response& refusal) const {
    const Route* route = find(request.path());
    if (route == nullptr) {
        refusal = text(404, "not found\n");
        return nullptr;
    }
    if (!allows(*route, request.method)) {
        refusal = text(405, "method not allowed\n");
        refusal.headers.emplace_back("Allow", allow_header(*route));
        return nullptr;
    }
    return route;
}

Response Router::respond(const Request& request) const {
    Response refusal;
    const Route* route = match(request, refusal);
    if (route == nullptr) return refusal;
    if (!route->handler) return text(500, "route needs asynchronous dispatch\n");
    return route->handler(request);
}

boost::asio::awaitable<Response> Router::respond_async(const Request& request) const {
    Response refusal;
    const Route* route = match(request, refusal);
    if (route == nullptr) co_return refusal;
    if (route->async_handler) co_return co_await route->async_handler(request);
    co_return route->handler(request);
}

bool Router::waits(const Request& request) const {
    Response refusal;
    const Route* route = match(request, refusal);
    return route != nullptr && static_cast<bool>(route->async_handler);
}

Router default_router(Context context) {
    Router router;
    router.add({"/healthz",
                false,
                {"GET"},
                [context](const Request&) {
                    return json_report(metrics::render_healthz(context.health(), context.now()));
                },
                {}});
    router.add({"/readyz",
                false,
                {"GET"},
                [context](const Request&) {
                    return json_report(metrics::render_readyz(context.health(), context.now()));
                },
                {}});
    router.add(
        {"/metrics",
         false,
         {"GET"},
         [context](const Request&) {
             return Response{
                 200, std::string(metrics::kExpositionContentType), context.render_metrics(), {}};
         },
         {}});
    return router;
}

}  // namespace ff::http
