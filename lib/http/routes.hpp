// Request routing: a table of {path or prefix, methods, handler}; /healthz, /readyz and /metrics.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/health.hpp"

namespace ff::http {

struct Request {
    std::string method;  // "GET"
    std::string target;  // as sent: "/metrics?x=1"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::string_view path() const;   // target without query string or fragment
    std::string_view query() const;  // after '?', without it
    std::string_view header(std::string_view name) const;  // case-insensitive; empty if absent
};

// The rest of a body too large to hold at once (a CSV export): each call returns the next piece,
// an empty piece ends the body. See Response::more.
using BodyPieces = std::function<boost::asio::awaitable<std::string>()>;

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra ones, e.g. Allow
    // When set, the body goes on after `body` with the pieces `more` returns, sent chunked
    // (HTTP/1.1; HTTP/1.0 gets them up to the close), so memory holds one piece, not the body.
    // A call may wait (on the database): the connection then holds a waiting slot, and the call is
    // cancelled when the client goes away. A client must take each 64 KiB within the write
    // timeout. A call that throws ends the response without its last chunk, so the client sees a
    // broken transfer rather than a short body. HEAD gets the header only.
    BodyPieces more = {};
};

using Handler = std::function<Response(const Request&)>;
// For routes that wait on something (a database query, say); runs on the server's io_context.
using AsyncHandler = std::function<boost::asio::awaitable<Response>(const Request&)>;

struct Route {
    std::string path;                         // "/metrics", or "/api/" with prefix = true
    bool prefix = false;                      // match every path that starts with `path`
    std::vector<std::string> methods{"GET"};  // HEAD is allowed wherever GET is
    Handler handler;                          // exactly one of handler and async_handler is set
    AsyncHandler async_handler;
};

// What the built-in routes read. Each is called once per request on the io thread.
struct Context {
    std::function<metrics::HealthState()> health;
    std::function<std::string()> render_metrics;  // Prometheus text
    std::function<std::chrono::system_clock::time_point()> now = [] {
        return std::chrono::system_clock::now();
    };
};

class Router {
  public:
    // Adds a route; an exact path wins over a prefix, a longer prefix over a shorter one.
    void add(Route route);

    // Pure: 404 for an unknown path, 405 (with Allow) for a method the path does not take,
    // otherwise the route's handler. An async route answers 500 here; use respond_async.
    Response respond(const Request& request) const;

    // As respond, and runs async routes too. This is what the server calls.
    boost::asio::awaitable<Response> respond_async(const Request& request) const;

    // True when the request goes to an async route: its answer may wait (on the database), so
    // the server holds it to the waiting limits and cancels it when the client goes away.
    bool waits(const Request& request) const;

  private:
    const Route* find(std::string_view path) const;
    const Route* match(const Request& request, Response& refusal) const;

    std::vector<Route> routes_;
};

// A router with GET /healthz, /readyz and /metrics; the daemon may add more routes to it.
Router default_router(Context context);

}  // namespace ff::http
