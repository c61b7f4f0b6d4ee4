// A blocking HTTP GET against the local server: what `fleetfuel healthcheck` runs.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace ff::http {

struct ProbeResult {
    int status = 0;     // HTTP status, 0 when no answer came
    std::string error;  // why there was no answer ("connect: Connection refused"), else empty
    bool healthy() const { return status == 200; }
};

// GETs `path` from the server listening on `listen` (HTTP_LISTEN form; a wildcard host is dialled
// on loopback). The whole exchange is bounded by `timeout`.
ProbeResult probe(std::string_view listen, std::string_view path = "/healthz",
                  std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace ff::http
