// Which replica writes: the session-level writer advisory lock, reflected in health and metrics.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace ff::db {
class Connection;
}
namespace ff::metrics {
class FleetMetrics;
struct HealthState;
}  // namespace ff::metrics

namespace ff::service {

// The lock lives in the database session, so leadership ends with the connection: after any
// reconnect the caller must call lost() and take the lock again before writing.
class Leadership {
  public:
    Leadership(metrics::FleetMetrics& metrics, metrics::HealthState& health);

    // One attempt on `conn` (throws db::DbError); true when this replica is (still) the leader.
    boost::asio::awaitable<bool> try_acquire(db::Connection& conn);

    // Gives the lock back on `conn` (throws db::DbError) and is standby again, the session kept:
    // this replica may not write (the rules in force are not its own).
    boost::asio::awaitable<void> step_down(db::Connection& conn);

    // The session that held the lock is gone (or about to be closed): back to standby.
    // `expected` (a clean shutdown) keeps it out of the warnings.
    void lost(bool expected = false);

    bool leader() const { return leader_; }

  private:
    void set(bool leader);

    metrics::FleetMetrics& metrics_;
    metrics::HealthState& health_;
    bool leader_ = false;
};

}  // namespace ff::service
