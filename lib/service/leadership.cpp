// Leadership: take the writer lock, and report role changes once each.
#include "service/leadership.hpp"

#include <spdlog/spdlog.h>

#include "db/advisory_lock.hpp"
#include "db/connection.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"

namespace ff::service {

Leadership::Leadership(metrics::FleetMetrics& metrics, metrics::HealthState& health)
    : metrics_(metrics), health_(health) {
    set(false);
}

boost::asio::awaitable<bool> Leadership::try_acquire(db::Connection& conn) {
    // Taking a session lock we already hold would stack it; one acquisition per session is enough.
    if (leader_) co_return true;
    const bool acquired = co_await db::try_acquire_writer_lock(conn);
    if (acquired) {
        spdlog::info("leadership: writer lock taken; this replica is the leader");
        set(true);
    }
    co_return acquired;
}

boost::asio::awaitable<void> Leadership::step_down(db::Connection& conn) {
    if (!leader_) co_return;
    co_await db::release_writer_lock(conn);
    spdlog::info("leadership: writer lock given back; this replica is a standby");
    set(false);
}

void Leadership::lost(bool expected) {
    if (leader_ && expected) spdlog::info("leadership: releasing the writer lock");
    if (leader_ && !expected)
        spdlog::warn("leadership: database session ended; standby until the lock is retaken");
    set(false);
}

void Leadership::set(bool leader) {
    leader_ = leader;
    health_.role = leader ? metrics::Role::leader : metrics::Role::standby;
    metrics_.set_leader(leader);
}

}  // namespace ff::service
