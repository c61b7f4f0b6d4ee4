// RFC 3339 formatting of points in time (UTC), for logs, /healthz and JSON output.
#pragma once

#include <chrono>
#include <string>

namespace ff::time {

// "2026-06-11T20:00:03.512Z"
std::string rfc3339_millis(std::chrono::system_clock::time_point t);

// "2026-06-11T20:00:03Z"
std::string rfc3339(std::chrono::system_clock::time_point t);

}  // namespace ff::time
