// JSON bodies and status codes of /healthz and /readyz, computed from a HealthState and a clock.
#include "metrics/health.hpp"

#include "core/json_escape.hpp"
#include "core/secrets.hpp"
#include "core/time_format.hpp"

namespace ff::metrics {
namespace {

std::string time_or_null(const std::optional<TimePoint>& t) {
    return t ? json::quote(time::rfc3339(*t)) : "null";
}

bool cycle_stuck(const StreamHealth& s, const HealthState& state, TimePoint now) {
    return s.cycle_started && now - *s.cycle_started > state.cycle_timeout;
}

bool stream_fresh(const StreamHealth& s, TimePoint now) {
    return s.last_success && now - *s.last_success <= 2 * s.interval;
}

// The reason liveness fails, or empty when alive.
std::string stuck_reason(const HealthState& state, TimePoint now) {
    if (!state.scheduler_running) return "scheduler stopped";
    if (state.heartbeat && now - *state.heartbeat > state.heartbeat_timeout)
        return "event loop heartbeat is stale";
    if (cycle_stuck(state.snapshot, state, now)) return "snapshot cycle running past its timeout";
    if (cycle_stuck(state.changes, state, now)) return "changes cycle running past its timeout";
    return {};
}

// The reason readiness fails, or empty when ready.
std::string not_ready_reason(const HealthState& state, TimePoint now) {
    if (!state.db_reachable) return "database unreachable";
    if (!state.rules_block.empty()) return state.rules_block;
    if (state.starting) return "starting: the writer lock has not been tried yet";
    if (state.role == Role::standby) return {};
    if (!stream_fresh(state.snapshot, now)) return "no snapshot success within twice its interval";
    if (!stream_fresh(state.changes, now)) return "no changes success within twice its interval";
    return {};
}

void append_stream(std::string& out, const char* name, const StreamHealth& s) {
    out += json::quote(name);
    out += ":{\"last_success\":" + time_or_null(s.last_success);
    out += ",\"last_error\":" + time_or_null(s.last_error_at);
    // Errors can quote connection details: scrub them as the logs do.
    out += ",\"last_error_message\":";
    out += s.last_error ? json::quote(secrets::scrub(*s.last_error)) : "null";
    out += ",\"running_since\":" + time_or_null(s.cycle_started);
    out += "}";
}

std::string body(std::string_view status, const std::string& reason, const HealthState& state) {
    std::string out = "{\"status\":" + json::quote(status);
    if (!reason.empty()) out += ",\"reason\":" + json::quote(reason);
    if (!reason.empty() && reason == state.rules_block)
        out += ",\"detail\":" + json::quote(state.rules_detail);
    out += ",\"role\":";
    if (state.starting)
        out += "\"starting\"";
    else
        out += state.role == Role::leader ? "\"leader\"" : "\"standby\"";
    out += ",\"db_reachable\":";
    out += state.db_reachable ? "true" : "false";
    out += ",\"streams\":{";
    append_stream(out, "snapshot", state.snapshot);
    out += ",";
    append_stream(out, "changes", state.changes);
    out += "}}";
    return out;
}

}  // namespace

HealthReport render_healthz(const HealthState& state, TimePoint now) {
    const auto reason = stuck_reason(state, now);
    if (reason.empty()) return {200, body("ok", reason, state)};
    return {503, body("stuck", reason, state)};
}

HealthReport render_readyz(const HealthState& state, TimePoint now) {
    const auto reason = not_ready_reason(state, now);
    if (reason.empty()) return {200, body("ok", reason, state)};
    return {503, body("not_ready", reason, state)};
}

}  // namespace ff::metrics
