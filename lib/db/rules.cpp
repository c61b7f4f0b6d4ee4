// The rules version: shown, compared, and read from fuel.rules_history (see the header).
#include "db/rules.hpp"

#include <fmt/format.h>

namespace ff::db {

std::string to_string(const RulesVersion& version) {
    return fmt::format("{}-{}{}", version.serial, version.hash.substr(0, 12),
                       version.registered ? "" : " (unregistered)");
}

RulesOrder compare_rules(const std::optional<RulesVersion>& database, const RulesVersion& binary) {
    if (!database || database->serial < binary.serial) return RulesOrder::older;
    if (*database == binary) return RulesOrder::same;
    // A greater serial, or this serial with rules this binary does not have: only a build that
    // registers them after its own can know they are older, so they are never replaced by default.
    return RulesOrder::newer;
}

const char* to_string(RulesOrder order) {
    switch (order) {
        case RulesOrder::same:
            return "same";
        case RulesOrder::older:
            return "older";
        case RulesOrder::newer:
            return "newer";
    }
    return "?";
}

std::string describe_rules(const std::optional<InstalledRules>& in_force,
                           const RulesVersion& binary) {
    if (!in_force)
        return fmt::format(
            "the database records no normalisation rules version (a new database, or one from "
            "before rules were versioned); this binary's rules are {}",
            to_string(binary));
    const auto& r = *in_force;
    const auto order = compare_rules(r.version, binary);
    const std::string whose = fmt::format(
        "the database's normalisation rules {} ({} {} by fleetfuel {})", to_string(r.version),
        r.action == "install" ? "installed" : r.action + "d", r.installed_at, r.fleetfuel_version);
    switch (order) {
        case RulesOrder::same:
            return whose + " are this binary's";
        case RulesOrder::older:
            return whose + " are older than this binary's " + to_string(binary);
        case RulesOrder::newer:
            if (r.version.serial == binary.serial)
                return whose + " are not this binary's " + to_string(binary) +
                       " and not known to it: they count as newer";
            return whose + " are newer than this binary's " + to_string(binary);
    }
    return whose;
}

RulesNewerError::RulesNewerError(const InstalledRules& in_force, const RulesVersion& binary)
    : MigrateError(describe_rules(in_force, binary) +
                   ": this binary does not write with other rules than those in force. Run the "
                   "release that installed them, or bring this binary's rules back with "
                   "`fleetfuel migrate --allow-downgrade` (it normalises every stored row again)") {
}

boost::asio::awaitable<std::optional<InstalledRules>> rules_in_force(Connection& conn) {
    auto exists = co_await conn.exec("SELECT to_regclass('fuel.rules_history') IS NOT NULL");
    if (exists.get(0, 0) != "t") co_return std::nullopt;
    auto r = co_await conn.exec(
        "SELECT serial, hash, registered, "
        "to_char(installed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "fleetfuel_version, action FROM fuel.rules_history ORDER BY id DESC LIMIT 1");
    if (r.rows() == 0) co_return std::nullopt;
    InstalledRules in_force;
    in_force.version.serial = static_cast<int>(r.get_int(0, 0));
    in_force.version.hash = std::string(r.get(0, 1));
    in_force.version.registered = r.get(0, 2) == "t";
    in_force.installed_at = std::string(r.get(0, 3));
    in_force.fleetfuel_version = std::string(r.get(0, 4));
    in_force.action = std::string(r.get(0, 5));
    co_return in_force;
}

}  // namespace ff::db
