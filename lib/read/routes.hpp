// The read side (issue 9): registers /analytics/* JSON endpoints and the Fuel Log page at /.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "http/routes.hpp"

namespace ff::read {

struct AnalyticsOptions {
    std::string database_url;  // secret: contains the password; never logged
    std::string token;         // FUEL_ANALYTICS_TOKEN; empty = no bearer token required
    std::chrono::milliseconds statement_timeout{10'000};
    std::size_t pool_size = 2;  // the analytics pool's own connections, never the ingest one
};

// Adds GET /analytics/fuel-fills, /analytics/fuel-fills/recent, /analytics/filters and the Fuel
// Log page at GET /. Database connections are opened lazily on `executor`, which must be the
// (single-threaded) executor the server's handlers run on. Call it only when analytics is on.
void add_analytics_routes(http::Router& router, boost::asio::any_io_executor executor,
                          AnalyticsOptions options);

}  // namespace ff::read
