// The read side: registers /analytics/* JSON endpoints and the Fuel Log page at /.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/routes.hpp"

namespace ff::read {

struct AnalyticsOptions {
    std::string database_url;  // secret: contains the password; never logged
    // FUEL_READER_ROLE: every analytics session runs SET ROLE to it and is read-only, so the API
    // never reads with the writer's rights. Required.
    std::string reader_role;
    std::string token;  // FUEL_ANALYTICS_TOKEN; empty = no bearer token required
    // FUEL_ANALYTICS_TIMEOUT: from a request's arrival to its last row, the wait for a
    // connection included; the statement is cancelled on the server when it passes.
    std::chrono::milliseconds timeout{10'000};
    std::chrono::milliseconds connect_timeout{10'000};
    std::size_t connections = 2;  // the analytics pool's own connections, never the ingest one
    std::size_t queue = 32;       // requests waiting for a connection; beyond it, 503
    std::function<void(std::string_view reason)> on_refused;  // fleetfuel_http_refused_total
    // FUEL_ANALYTICS_CORS_ORIGINS, as browsers send Origin (https://ops.example.com): the pages
    // that may call the API from the browser. Empty: no CORS headers for anyone.
    std::vector<std::string> cors_origins;
};

// Adds GET (and OPTIONS, for CORS preflights) /analytics/fuel-fills, /analytics/fuel-fills/recent,
// /efficiency, /attention, /analytics/fuel-fills.csv and /analytics/filters, and the Fuel Log page
// at GET /. Database connections are opened lazily on `executor`, which must be the
// (single-threaded) executor the server's handlers run on. Call it only when analytics is on.
// Throws std::invalid_argument without a reader role.
void add_analytics_routes(http::Router& router, boost::asio::any_io_executor executor,
                          AnalyticsOptions options);

}  // namespace ff::read
