// Internal to fleetfuel check: the results of one group of checks as they come in, and the two
// groups' coroutines (check_database.cpp, check_store.cpp).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "service/check.hpp"

namespace ff::service::detail {

// The checks of one group, in order, and the results so far. Shared between the group's
// coroutine and the runner that times it out.
struct CheckRun {
    std::vector<std::string> names;  // every check of the group, in order
    std::vector<CheckResult> results;
    bool done = false;

    void ok(std::string detail, std::string hint = {});
    void failed(std::string detail, std::string hint);
    // The remaining checks, each skipped with `why` ("needs the database connection").
    void skip_rest(const std::string& why);
    const std::string& next_name() const;  // the check in progress
};

// "in 5 s", "in 250 ms": for messages about time limits.
std::string seconds_text(std::chrono::milliseconds d);

// "12 s ago", "3 h 20 min ago"
std::string age_text(std::chrono::system_clock::time_point then);

boost::asio::awaitable<void> database_checks(std::shared_ptr<CheckRun> run, CheckOptions options);
boost::asio::awaitable<void> store_checks(std::shared_ptr<CheckRun> run, CheckOptions options);

}  // namespace ff::service::detail
