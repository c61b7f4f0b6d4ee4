// The rules gate: compares the rules in force with this binary's and says so, once a minute.
#include "service/rules_gate.hpp"

#include <spdlog/spdlog.h>

#include "db/connection.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"

namespace ff::service {
namespace {

// A process that does not write says why this often, however often it looks (every standby poll).
constexpr std::chrono::minutes kLogEvery{1};

}  // namespace

RulesGate::RulesGate(metrics::FleetMetrics& metrics, metrics::HealthState& health,
                     bool migrate_on_start)
    : metrics_(metrics), health_(health), migrate_on_start_(migrate_on_start) {
    metrics_.set_rules_mismatch(false);
}

boost::asio::awaitable<bool> RulesGate::check(db::Connection& conn) {
    const auto in_force = co_await db::rules_in_force(conn);
    const auto& mine = db::build_rules();
    std::optional<db::RulesVersion> version;
    if (in_force) version = in_force->version;
    const auto order = db::compare_rules(version, mine);
    const std::string detail = db::describe_rules(in_force, mine);
    if (order == db::RulesOrder::newer) {
        block(kRulesNewer, detail +
                               ": not writing. Run the release that installed them, or bring this "
                               "binary's rules back with `fleetfuel migrate --allow-downgrade` (it "
                               "normalises every stored row again)");
        co_return false;
    }
    if (order == db::RulesOrder::older && !migrate_on_start_) {
        block(kRulesOlder, detail +
                               ": not writing. FUEL_MIGRATE_ON_START is false: run `fleetfuel "
                               "migrate`, which installs this binary's rules and normalises "
                               "every stored row again");
        co_return false;
    }
    if (order == db::RulesOrder::older && !announced_older_) {
        spdlog::info(
            "rules: {}: this replica installs its own, normalising every stored row again, when "
            "it takes the writer lock",
            detail);
        announced_older_ = true;
    }
    clear();
    co_return true;
}

void RulesGate::block(const char* reason, const std::string& detail) {
    const auto now = std::chrono::steady_clock::now();
    const bool changed = health_.rules_block != reason || health_.rules_detail != detail;
    if (changed || now - last_logged_ >= kLogEvery) {
        spdlog::warn("rules: {} ({})", detail, reason);
        last_logged_ = now;
    }
    health_.rules_block = reason;
    health_.rules_detail = detail;
    metrics_.set_rules_mismatch(true);
}

void RulesGate::clear() {
    if (!health_.rules_block.empty())
        spdlog::info("rules: the rules in force no longer hold this replica back from writing");
    health_.rules_block.clear();
    health_.rules_detail.clear();
    metrics_.set_rules_mismatch(false);
}

}  // namespace ff::service
