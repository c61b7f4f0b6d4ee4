// HealthState: a plain value the daemon writes and the HTTP server reads; /healthz and /readyz.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace ff::metrics {

using TimePoint = std::chrono::system_clock::time_point;

enum class Role { leader, standby };

struct StreamHealth {
    std::optional<TimePoint> last_success;
    std::optional<std::string> last_error;  // the message of the last failed cycle
    std::optional<TimePoint> last_error_at;
    std::optional<TimePoint> cycle_started;  // set while a cycle is running
    std::chrono::milliseconds interval{0};   // the stream's schedule
};

struct HealthState {
    Role role = Role::standby;
    // Set by the scheduler until its first writer-lock attempt has answered: until then `role`
    // says nothing yet, and a replica about to lead must not look like a ready standby.
    bool starting = false;
    StreamHealth snapshot;
    StreamHealth changes;
    std::optional<TimePoint> heartbeat;  // last beat of the event loop; none: not checked
    bool db_reachable = false;
    bool scheduler_running = true;
    std::chrono::milliseconds cycle_timeout{1'800'000};   // a longer cycle is stuck
    std::chrono::milliseconds heartbeat_timeout{60'000};  // an older heartbeat is stuck
};

struct HealthReport {
    int status = 200;  // HTTP status
    std::string body;  // application/json
};

// Liveness: 503 "stuck" when a cycle runs past cycle_timeout, the heartbeat is older than
// heartbeat_timeout or the scheduler stopped. Never fails because S3 or the database is down.
HealthReport render_healthz(const HealthState& state, TimePoint now);

// Readiness: 200 when the database is reachable, the first writer-lock attempt has answered
// (not `starting`) and, for a leader, each stream succeeded within twice its interval; a standby
// only needs the database. 503 "not_ready" otherwise. Liveness ignores `starting`.
HealthReport render_readyz(const HealthState& state, TimePoint now);

}  // namespace ff::metrics
