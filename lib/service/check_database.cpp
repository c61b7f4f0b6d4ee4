// fleetfuel check, the database group: connect, schema state, who holds the writer lock.
#include <fmt/format.h>

#include <boost/asio/this_coro.hpp>

#include "db/advisory_lock.hpp"
#include "db/migrate.hpp"
#include "db/rules.hpp"
#include "db/schema_state.hpp"
#include "service/check_run.hpp"

namespace ff::service::detail {
namespace {

using boost::asio::awaitable;

bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// What an operator should look at, from libpq's (or our resolver's) message.
std::string connect_hint(const std::string& message, std::chrono::milliseconds timeout) {
    if (has(message, "cannot resolve"))
        return "the host name does not resolve from here: inside a container, attach it to the "
               "network the database is on (Coolify: the database stack's network, "
               "docs/runbook.md), and check the host in DATABASE_URL";
    if (has(message, "timed out"))
        return "no answer within " + seconds_text(timeout) +
               ": a firewall dropping packets, a wrong address or port, or the server is down";
    if (has(message, "Connection refused"))
        return "nothing listens there: check the port in DATABASE_URL and that PostgreSQL "
               "listens on that address";
    if (has(message, "password"))
        return "wrong user or password in DATABASE_URL (or the file DATABASE_URL_FILE names)";
    if (has(message, "no pg_hba.conf entry"))
        return "the server's pg_hba.conf does not admit this client address, user or database";
    if (has(message, "database") && has(message, "does not exist"))
        return "the database named in DATABASE_URL does not exist on that server";
    if (has(message, "role") && has(message, "does not exist"))
        return "the user named in DATABASE_URL does not exist on that server";
    return "check DATABASE_URL; the message above is PostgreSQL's";
}

awaitable<void> check_schema(db::Connection& conn, CheckRun& run, const CheckOptions& options) {
    const auto state = co_await db::inspect_schema(conn);
    std::string legacy;
    for (const auto& name : state.legacy_schemas) legacy += (legacy.empty() ? "" : ", ") + name;
    const std::string kept =
        legacy.empty() ? "" : "; kept from an adoption, never touched: " + legacy;
    switch (state.kind) {
        case db::SchemaKind::none:
            if (options.migrate_on_start)
                run.ok("none yet: `fleetfuel run` creates it at start" + kept);
            else
                run.failed("none yet" + kept,
                           "FUEL_MIGRATE_ON_START is false: run `fleetfuel migrate` first");
            co_return;
        case db::SchemaKind::foreign:
            run.failed("foreign (no FleetFuel migration history): " + db::describe_found(state),
                       "stop the old importer, then take it over with `fleetfuel migrate "
                       "--adopt-existing` (docs/runbook.md, \"Replacing import_fuel.py\")");
            co_return;
        case db::SchemaKind::fleetfuel:
            break;
    }
    const auto status = co_await db::migration_status(conn);
    const auto version = fmt::format("FleetFuel V{:04}", status.applied_version);
    if (status.applied_version > status.known_version) {
        run.failed(fmt::format("{}, newer than this binary (it knows up to V{:04})", version,
                               status.known_version),
                   "run a newer fleetfuel; never migrate a database down");
    } else if (!status.edited.empty()) {
        run.failed(
            version + "; applied migrations differ from this binary's: " + status.edited.front(),
            "this binary's sql/ was edited after it was applied; use a released build");
    } else if (status.pending.empty()) {
        run.ok(version + ", migrations current" + kept);
    } else {
        std::string files;
        for (const auto& f : status.pending) files += (files.empty() ? "" : ", ") + f;
        run.ok(fmt::format("{}; {} to apply: {}{}", version, status.pending.size(), files, kept),
               options.migrate_on_start ? "`fleetfuel run` applies them at start"
                                        : "run `fleetfuel migrate` (FUEL_MIGRATE_ON_START=false)");
    }
}

// The normalisation rules in force against this binary's: what the daemon will do.
awaitable<void> check_rules(db::Connection& conn, CheckRun& run, const CheckOptions& options) {
    const auto in_force = co_await db::rules_in_force(conn);
    const auto& mine = db::build_rules();
    std::optional<db::RulesVersion> version;
    if (in_force) version = in_force->version;
    const auto detail = db::describe_rules(in_force, mine);
    const std::string unregistered =
        mine.registered ? ""
                        : "this build's rules are not in its sql/rules-versions.txt: not a "
                          "release build";
    switch (db::compare_rules(version, mine)) {
        case db::RulesOrder::same:
            run.ok(detail, unregistered);
            co_return;
        case db::RulesOrder::older:
            run.ok(detail, options.migrate_on_start
                               ? "`fleetfuel run` installs this binary's rules when it takes the "
                                 "writer lock, normalising every stored row again"
                               : "run `fleetfuel migrate` (FUEL_MIGRATE_ON_START=false): until "
                                 "then the daemon does not write");
            co_return;
        case db::RulesOrder::newer:
            run.failed(detail,
                       "this binary does not write with them (rules_newer_in_database): deploy the "
                       "release that installed them, or `fleetfuel migrate --allow-downgrade` "
                       "(docs/runbook.md, \"Upgrading and rolling back\")");
            co_return;
    }
}

// pg_advisory_lock(bigint) shows in pg_locks as classid = high 32 bits, objid = low 32 bits,
// objsubid 1. The lock's own age is not recorded; the holder's session start stands in for it.
awaitable<void> check_writer_lock(db::Connection& conn, CheckRun& run, const CheckOptions&) {
    db::Params key{std::to_string(db::kWriterLockKey)};
    auto r = co_await conn.exec(
        "SELECT l.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), ''), "
        "  coalesce(a.client_hostname, ''), coalesce(a.usename::text, ''), "
        "  to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "  coalesce(extract(epoch FROM a.backend_start)::bigint, 0), a.pid IS NOT NULL "
        "FROM pg_locks AS l LEFT JOIN pg_stat_activity AS a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "  AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid",
        key);
    if (r.rows() == 0) {
        run.ok("free: no FleetFuel process is writing to this database");
        co_return;
    }
    const std::string app(r.get(0, 1));
    std::string from(r.get(0, 2));
    if (!r.get(0, 3).empty()) from += " (" + std::string(r.get(0, 3)) + ")";
    std::string detail = fmt::format("held by pid {}", r.get(0, 0));
    if (r.get(0, 7) == "t" && !r.get(0, 5).empty()) {
        const std::chrono::system_clock::time_point since{std::chrono::seconds(r.get_int(0, 6))};
        detail += fmt::format(", application_name \"{}\", user {}, from {}, session since {} ({})",
                              app, r.get(0, 4), from.empty() ? "a local socket" : from, r.get(0, 5),
                              age_text(since));
        run.ok(detail, app.starts_with("fleetfuel")
                           ? ""
                           : "not a fleetfuel daemon: a one-shot command or another tool");
    } else {
        run.ok(detail + " (its session details are hidden from this user)",
               "grant pg_read_all_stats to see who holds it");
    }
}

}  // namespace

awaitable<void> database_checks(std::shared_ptr<CheckRun> run, CheckOptions options) {
    if (!options.database) {
        run->skip_rest("DATABASE_URL is not set");
        co_return;
    }
    db::Connection conn(co_await boost::asio::this_coro::executor);
    db::ConnectOptions connect = *options.database;
    connect.application_name = "fleetfuel check";
    connect.connect_timeout = std::min(connect.connect_timeout, options.timeout);
    connect.statement_timeout = options.timeout;
    const auto started = std::chrono::steady_clock::now();
    try {
        co_await conn.connect(connect);
        // Belt and braces: nothing this session runs can write.
        co_await conn.exec("SET default_transaction_read_only = on");
    } catch (const db::DbError& e) {
        run->failed(e.what(), connect_hint(e.what(), connect.connect_timeout));
        run->skip_rest("needs the database connection");
        co_return;
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    auto version = co_await conn.exec("SELECT current_setting('server_version')");
    run->ok(fmt::format("PostgreSQL {} at {} (connected in {} ms)", version.get(0, 0),
                        conn.describe(), ms.count()));
    using Step = awaitable<void> (*)(db::Connection&, CheckRun&, const CheckOptions&);
    for (const Step step : {check_schema, check_rules, check_writer_lock}) {
        try {
            co_await step(conn, *run, options);
        } catch (const std::exception& e) {
            run->failed(e.what(), "a query failed; the message above is PostgreSQL's");
            if (!conn.usable()) {
                run->skip_rest("needs the database connection");
                co_return;
            }
        }
    }
}

}  // namespace ff::service::detail
