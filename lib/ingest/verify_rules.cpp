// verify's first check: the normalisation rules in force beside this binary's, and,
// when they are the same version, that the rule files the database ran are this binary's text.
#include <fmt/format.h>

#include <string>

#include "core/json_escape.hpp"
#include "db/connection.hpp"
#include "db/migration_files.hpp"
#include "db/rules.hpp"
#include "ingest/verify.hpp"

namespace ff::ingest::detail {
namespace {

using boost::asio::awaitable;

// The same version must have run the same rule files: a checksum that differs means fuel.normalise
// was installed by other means than this release's migrate, and the version in force is not true.
awaitable<void> compare_rule_files(db::Connection& db, CheckResult& check,
                                   const VerifyOptions& options) {
    for (const auto& file : db::embedded_migrations()) {
        if (!file.rules) continue;
        db::Params name{std::string(file.name)};
        auto r = co_await db.exec("SELECT checksum FROM fuel.schema_migrations WHERE script = $1",
                                  std::move(name));
        std::optional<std::string> recorded;
        if (r.rows() > 0) recorded = std::string(r.get(0, 0));
        const auto expected = db::sha256_hex(file.text);
        if (recorded == expected) continue;
        ++check.differing;
        if (check.differences.size() < options.limit)
            check.differences.push_back({std::string(file.name), "checksum", recorded, expected});
    }
}

}  // namespace

awaitable<CheckResult> verify_rules(db::Connection& db, const VerifyOptions& options) {
    CheckResult check;
    check.name = "rules";
    const auto in_force = co_await db::rules_in_force(db);
    const auto& mine = db::build_rules();
    std::optional<db::RulesVersion> version;
    if (in_force) version = in_force->version;
    const auto order = db::compare_rules(version, mine);
    check.summary = db::describe_rules(in_force, mine);
    check.facts = {{"in_force", version ? json::quote(db::to_string(*version)) : "null"},
                   {"binary", json::quote(db::to_string(mine))},
                   {"order", json::quote(db::to_string(order))}};
    switch (order) {
        case db::RulesOrder::same:
            co_await compare_rule_files(db, check, options);
            if (check.differing > 0)
                check.summary += "; but the rule files recorded differ from this binary's";
            break;
        case db::RulesOrder::older:
            check.notes.push_back(
                "the writer installs this binary's rules when it next starts leading (or "
                "`fleetfuel "
                "migrate` does), normalising every stored row again; until then the rows are "
                "checked against the rules in force");
            break;
        case db::RulesOrder::newer:
            check.notes.push_back(
                "this binary does not write with them; the rows are checked against the rules in "
                "force");
            break;
    }
    if (!mine.registered)
        check.notes.push_back(
            "this build's rules are not in its sql/rules-versions.txt: not a release build");
    co_return check;
}

}  // namespace ff::ingest::detail
