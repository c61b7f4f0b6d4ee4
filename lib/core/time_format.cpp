// RFC 3339 formatting without locale or time-zone state (gmtime_r only).
#include "core/time_format.hpp"

#include <fmt/format.h>

#include <ctime>

namespace ff::time {
namespace {

std::string format(std::chrono::system_clock::time_point t, bool millis) {
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    const int frac = static_cast<int>(ms - static_cast<long long>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    if (millis)
        return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

std::string rfc3339_millis(std::chrono::system_clock::time_point t) {
    return format(t, true);
}
std::string rfc3339(std::chrono::system_clock::time_point t) {
    return format(t, false);
}

}  // namespace ff::time
