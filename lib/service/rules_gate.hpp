// Whether this replica may write with its normalisation rules: the rules in force in
// the database against this binary's, read before it tries for the writer lock, and shown in
// /readyz, fleetfuel_rules_mismatch and the log while it may not.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "db/rules.hpp"

namespace ff::db {
class Connection;
}
namespace ff::metrics {
class FleetMetrics;
struct HealthState;
}  // namespace ff::metrics

namespace ff::service {

// /readyz reasons. The first is relied on by operators' tooling: keep it.
inline constexpr const char* kRulesNewer = "rules_newer_in_database";
inline constexpr const char* kRulesOlder = "rules_older_in_database";

class RulesGate {
  public:
    // `migrate_on_start` (FUEL_MIGRATE_ON_START): whether this replica installs its own rules over
    // older ones when it leads; without it, older rules hold it back until `fleetfuel migrate`.
    RulesGate(metrics::FleetMetrics& metrics, metrics::HealthState& health, bool migrate_on_start);

    // Reads the rules in force (throws db::DbError). True when this replica may lead: the rules
    // are its own, or older and it installs its own when it takes the writer lock. False, with
    // the reason set in health and metrics, when they are newer, or older without migrate on
    // start. Read before the lock, it decides whether to try; read again under the lock (without
    // migrate on start), it is final.
    boost::asio::awaitable<bool> check(db::Connection& conn);

  private:
    void block(const char* reason, const std::string& detail);
    void clear();

    metrics::FleetMetrics& metrics_;
    metrics::HealthState& health_;
    bool migrate_on_start_;
    std::chrono::steady_clock::time_point last_logged_{};
    bool announced_older_ = false;
};

}  // namespace ff::service
