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
    // Set while this process does not write because of the normalisation rules in force in the
    // database: the /readyz reason, e.g. "rules_newer_in_database", and one sentence
    // for people. Empty otherwise.
    std::string rules_block;
    std::string rules_detail;
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
// (not `starting`), no `rules_block` holds the process back from writing and, for a leader, each
// stream succeeded within twice its interval; a standby only needs the database and its rules.
// 503 "not_ready" otherwise, with the reason (`rules_block` as it is, and its `detail`).
// Liveness ignores `starting` and `rules_block`.
HealthReport render_readyz(const HealthState& state, TimePoint now);

}  // namespace ff::metrics
