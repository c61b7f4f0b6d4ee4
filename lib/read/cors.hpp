// CORS for the analytics API: an allow-list of origins (FUEL_ANALYTICS_CORS_ORIGINS), preflight.
#pragma once

#include <string>
#include <vector>

#include "http/routes.hpp"

namespace ff::read {

// Lets the pages of the listed origins (the FleetOps SPA) call /analytics/* from the browser.
// Origins are compared exactly as browsers send them (RFC 6454: scheme://host[:port], lower
// case, no default port), which is how FUEL_ANALYTICS_CORS_ORIGINS is stored once parsed. Any
// other origin gets no CORS header at all, so its browser keeps the answer from its page.
// Requests are never refused for their Origin: CORS protects the browser's user, the bearer
// token protects the data.
class CorsPolicy {
  public:
    explicit CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

    // Adds Access-Control-Allow-Origin (and the headers the SPA may read) when the request's
    // Origin is listed; with any origin listed, Vary: Origin on every answer, so that a cache
    // never hands one origin's answer to another.
    void decorate(const http::Request& request, http::Response& response) const;

    // The answer to OPTIONS: 204 with Allow; for a preflight from a listed origin asking for GET
    // or HEAD, also the methods, Authorization as a request header, and a max age. A preflight
    // never needs the token (browsers send none with it).
    http::Response preflight(const http::Request& request) const;

  private:
    bool allowed(const http::Request& request) const;

    std::vector<std::string> origins_;
};

}  // namespace ff::read
