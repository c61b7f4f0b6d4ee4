// Every stored row brought in line with the rules just installed, a batch of ids at a time, and
// the version recorded: the part of installing a build's rules that follows its rule files.
#include <spdlog/spdlog.h>

#include <limits>
#include <string>
#include <utility>

#include "db/rules.hpp"

namespace ff::db {
namespace {

using boost::asio::awaitable;
using Clock = std::chrono::steady_clock;

// The greatest of the next `batch` ids after `after`, and how many there are (0: none left).
awaitable<std::pair<std::string, long long>> next_batch(Connection& conn, const std::string& after,
                                                        std::size_t batch) {
    Params params{after, std::to_string(batch)};
    auto r = co_await conn.exec(
        "SELECT max(id)::text, count(*) FROM (SELECT id FROM fuel.records WHERE id > $1::bigint "
        "ORDER BY id LIMIT $2::bigint) AS b",
        std::move(params));
    co_return std::pair{std::string(r.get(0, 0)), r.get_int(0, 1)};
}

std::string action_of(const std::optional<InstalledRules>& from, const RulesVersion& to) {
    if (!from) return "install";
    return compare_rules(from->version, to) == RulesOrder::older ? "upgrade" : "downgrade";
}

}  // namespace

awaitable<RulesChange> renormalise_and_record(Connection& conn,
                                              const std::optional<InstalledRules>& from,
                                              const RulesVersion& to,
                                              const RenormaliseOptions& options) {
    const auto started = Clock::now();
    RulesChange change;
    change.action = action_of(from, to);
    if (from) change.from = from->version;
    change.to = to;

    std::string after = std::to_string(std::numeric_limits<long long>::min());
    auto last_progress = started;
    for (;;) {
        if (options.stop_requested && options.stop_requested())
            throw RenormaliseStopped(
                "stopped before the stored rows were all normalised again; nothing is committed, "
                "the next start does it again");
        auto [upto, n] = co_await next_batch(conn, after, options.batch_rows);
        if (n == 0) break;
        Params range{after, upto};
        auto r =
            co_await conn.exec("SELECT fuel.renormalise($1::bigint, $2::bigint)", std::move(range));
        change.changed += r.get_int(0, 0);
        change.rows += n;
        after = upto;
        spdlog::debug("rules: {} rows normalised again, {} changed, up to id {}", change.rows,
                      change.changed, after);
        if (Clock::now() - last_progress > std::chrono::seconds(10)) {
            spdlog::info("rules: {} rows normalised again so far ({} changed)", change.rows,
                         change.changed);
            last_progress = Clock::now();
        }
    }

    change.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    Params record{std::to_string(to.serial),
                  to.hash,
                  to.registered ? "t" : "f",
                  change.action,
                  FF_VERSION,
                  std::to_string(change.rows),
                  std::to_string(change.changed),
                  std::to_string(change.took.count())};
    co_await conn.exec(
        "INSERT INTO fuel.rules_history (serial, hash, registered, action, fleetfuel_version, "
        "rows_total, rows_changed, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        std::move(record));
    co_return change;
}

}  // namespace ff::db
