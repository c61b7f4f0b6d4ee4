// The CORS headers of the analytics API: listed origins only, preflight answered without a token.
#include "read/cors.hpp"

#include <algorithm>

namespace ff::read {
namespace {

constexpr const char* kAllowMethods = "GET, HEAD";
constexpr const char* kMaxAge = "600";  // seconds a browser may reuse a preflight's answer

http::Response preflight_answer() {
    return http::Response{204, "text/plain; charset=utf-8", "", {{"Allow", "GET, HEAD, OPTIONS"}}};
}

}  // namespace

bool CorsPolicy::allowed(const http::Request& request) const {
    const auto origin = request.header("Origin");
    return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void CorsPolicy::decorate(const http::Request& request, http::Response& response) const {
    if (origins_.empty()) return;
    response.headers.emplace_back("Vary", "Origin");
    if (!allowed(request)) return;
    response.headers.emplace_back("Access-Control-Allow-Origin", request.header("Origin"));
    // What the SPA's script may read besides the simple headers: the CSV's file name, when to
    // retry a 503, and the scheme a 401 asks for.
    response.headers.emplace_back("Access-Control-Expose-Headers",
                                  "Content-Disposition, Retry-After, WWW-Authenticate");
}

http::Response CorsPolicy::preflight(const http::Request& request) const {
    auto response = preflight_answer();
    if (origins_.empty()) return response;
    response.headers.emplace_back("Vary",
                                  "Origin, Access-Control-Request-Method, "
                                  "Access-Control-Request-Headers");
    const auto method = request.header("Access-Control-Request-Method");
    if (!allowed(request) || (method != "GET" && method != "HEAD")) return response;
    response.headers.emplace_back("Access-Control-Allow-Origin", request.header("Origin"));
    response.headers.emplace_back("Access-Control-Allow-Methods", kAllowMethods);
    response.headers.emplace_back("Access-Control-Allow-Headers", "Authorization");
    response.headers.emplace_back("Access-Control-Max-Age", kMaxAge);
    return response;
}

}  // namespace ff::read
