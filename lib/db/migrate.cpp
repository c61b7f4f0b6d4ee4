// fleetfuel migrate: applies the embedded sql/ files once each, in order, recorded with checksums.
#include "db/migrate.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <exception>
#include <map>
#include <optional>

#include "db/advisory_lock.hpp"
#include "db/rules.hpp"
#include "db/schema_state.hpp"

namespace ff::db {
namespace {

using boost::asio::awaitable;

constexpr std::string_view kHistoryDdl = R"sql(
CREATE SCHEMA IF NOT EXISTS fuel;
CREATE TABLE IF NOT EXISTS fuel.schema_migrations (
    script        text PRIMARY KEY,                   -- file name, e.g. V0001__fuel_schema.sql
    version       integer UNIQUE,                     -- NULL for repeatable (R) files
    description   text NOT NULL,
    kind          char(1) NOT NULL CHECK (kind IN ('V', 'R')),
    checksum      text NOT NULL,                      -- SHA-256 (R: text + tracksolid presence)
    installed_at  timestamptz NOT NULL DEFAULT now(),
    execution_ms  integer NOT NULL,
    CHECK ((kind = 'V') = (version IS NOT NULL))
);
)sql";

struct Recorded {
    std::string script;
    std::optional<int> version;
    char kind = 'V';
    std::string checksum;
};

awaitable<std::vector<Recorded>> load_history(Connection& conn) {
    auto r = co_await conn.exec(
        "SELECT script, version, kind, checksum FROM fuel.schema_migrations ORDER BY script");
    std::vector<Recorded> rows;
    for (int i = 0; i < r.rows(); ++i) {
        Recorded row;
        row.script = std::string(r.get(i, 0));
        if (!r.is_null(i, 1)) row.version = static_cast<int>(r.get_int(i, 1));
        row.kind = r.get(i, 2).empty() ? 'V' : r.get(i, 2).front();
        row.checksum = std::string(r.get(i, 3));
        rows.push_back(std::move(row));
    }
    co_return rows;
}

// Refuses a database that a newer FleetFuel has migrated: this binary does not know its schema.
void refuse_newer_schema(const std::vector<Recorded>& history,
                         const std::vector<MigrationFile>& plan) {
    int newest_known = 0;
    for (const auto& m : plan)
        if (m.kind == 'V') newest_known = std::max(newest_known, m.version);
    for (const auto& row : history) {
        if (row.kind == 'V' && row.version && *row.version > newest_known)
            throw MigrateError(fmt::format(
                "the database has migration {} ({}) applied, newer than this fleetfuel knows "
                "(up to V{:04}): run a newer fleetfuel; never migrate a database down",
                *row.version, row.script, newest_known));
    }
}

// Whether each migration gets a transaction of its own, or all of them run in the caller's (an
// adoption: moving the old schema aside and creating the new one happen together or not at all).
enum class Transactions { per_file, caller };

// One migration and its history row, in the transaction the caller has open.
awaitable<void> run_one(Connection& conn, const MigrationFile& m, const std::string& checksum,
                        std::chrono::milliseconds lock_timeout) {
    const auto started = std::chrono::steady_clock::now();
    try {
        Params timeout{std::to_string(lock_timeout.count())};
        co_await conn.exec("SELECT set_config('lock_timeout', $1, true)", std::move(timeout));
        co_await conn.exec_script(m.text);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
        Params record{
            m.name,        m.kind == 'V' ? Param(std::to_string(m.version)) : std::nullopt,
            m.description, std::string(1, m.kind),
            checksum,      std::to_string(ms.count())};
        co_await conn.exec(
            "INSERT INTO fuel.schema_migrations "
            "(script, version, description, kind, checksum, execution_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (script) DO UPDATE SET "
            "checksum = EXCLUDED.checksum, description = EXCLUDED.description, "
            "installed_at = now(), execution_ms = EXCLUDED.execution_ms",
            std::move(record));
    } catch (const DbError& e) {
        throw DbError("sql/" + m.name + ": " + e.what(), e.sqlstate(), e.connection_lost());
    }
}

awaitable<void> rollback_quietly(Connection& conn) {
    if (!conn.usable()) co_return;
    try {
        co_await conn.exec("ROLLBACK");
    } catch (const DbError&) {
        // The failure that led here is the one worth reporting.
    }
}

// run_one in a transaction of its own, or in the caller's.
awaitable<void> apply_one(Connection& conn, const MigrationFile& m, const std::string& checksum,
                          std::chrono::milliseconds lock_timeout, Transactions transactions) {
    if (transactions == Transactions::caller) {
        co_await run_one(conn, m, checksum, lock_timeout);
        co_return;
    }
    std::exception_ptr failure;
    co_await conn.exec("BEGIN");
    try {
        co_await run_one(conn, m, checksum, lock_timeout);
        co_await conn.exec("COMMIT");
    } catch (const DbError&) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await rollback_quietly(conn);
        std::rethrow_exception(failure);
    }
}

awaitable<void> grant_reader(Connection& conn, const std::string& role) {
    // Params are built outside the co_await: GCC 12 miscompiles braced temporaries there.
    Params name{role};
    auto exists = co_await conn.exec("SELECT 1 FROM pg_roles WHERE rolname = $1", name);
    if (exists.rows() == 0)
        throw MigrateError("FUEL_READER_ROLE: role \"" + role +
                           "\" does not exist; create it first or unset FUEL_READER_ROLE");
    // The views, and fuel.plate (the analytics API normalises vehicle= with it); USAGE on fuel
    // only finds names there, no table in it is readable.
    auto grants = co_await conn.exec(
        "SELECT format('GRANT USAGE ON SCHEMA reporting TO %1$I; "
        "GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO %1$I; "
        "GRANT USAGE ON SCHEMA fuel TO %1$I', $1::text) || "
        "CASE WHEN to_regprocedure('fuel.plate(text)') IS NULL THEN '' "
        "ELSE format('; GRANT EXECUTE ON FUNCTION fuel.plate(text) TO %I', $1::text) END",
        name);
    co_await conn.exec_script(grants.get(0, 0));
}

// The rule files and every stored row normalised again by them, in the transaction the caller has
// open.
awaitable<RulesChange> run_rules(Connection& conn, const MigrateOptions& options,
                                 const std::vector<const MigrationFile*>& files,
                                 const std::optional<InstalledRules>& from,
                                 const RulesVersion& to) {
    for (const auto* m : files)
        co_await run_one(conn, *m, sha256_hex(m->text), options.lock_timeout);
    co_return co_await renormalise_and_record(conn, from, to, options.renormalise);
}

// run_rules in one transaction of its own, or in the caller's: readers see every row under the old
// rules or every row under the new, and a crash anywhere leaves the old rules and columns in force.
awaitable<RulesChange> install_rules(Connection& conn, const MigrateOptions& options,
                                     const std::vector<const MigrationFile*>& files,
                                     const std::optional<InstalledRules>& from,
                                     const RulesVersion& to, Transactions transactions) {
    if (transactions == Transactions::caller)
        co_return co_await run_rules(conn, options, files, from, to);
    std::exception_ptr failure;
    RulesChange change;
    co_await conn.exec("BEGIN");
    try {
        change = co_await run_rules(conn, options, files, from, to);
        co_await conn.exec("COMMIT");
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await rollback_quietly(conn);
        std::rethrow_exception(failure);
    }
    co_return change;
}

awaitable<MigrateReport> run_plan(Connection& conn, const MigrateOptions& options,
                                  const std::vector<MigrationFile>& plan,
                                  Transactions transactions) {
    MigrateReport report;
    co_await conn.exec_script(kHistoryDdl);
    const auto history = co_await load_history(conn);
    refuse_newer_schema(history, plan);
    std::map<int, const Recorded*> applied_versions;
    std::map<std::string, const Recorded*> applied_scripts;
    for (const auto& row : history) {
        if (row.version) applied_versions[*row.version] = &row;
        applied_scripts[row.script] = &row;
    }

    // Rules newer than this binary's stop everything before anything runs: their release's files
    // are in force, and this binary must not replace them unless told to (--allow-downgrade).
    std::vector<const MigrationFile*> rule_files;
    for (const auto& m : plan)
        if (m.rules) rule_files.push_back(&m);
    const RulesVersion& rules = options.rules ? *options.rules : build_rules();
    auto order = RulesOrder::same;
    if (!rule_files.empty()) {
        report.rules_in_force = co_await rules_in_force(conn);
        std::optional<RulesVersion> in_force;
        if (report.rules_in_force) in_force = report.rules_in_force->version;
        order = compare_rules(in_force, rules);
        if (order == RulesOrder::newer && !options.allow_downgrade)
            throw RulesNewerError(*report.rules_in_force, rules);
    }

    // Versioned files: each once, in version order; an edited applied file stops everything.
    for (const auto& m : plan) {
        if (m.kind != 'V') continue;
        const auto checksum = sha256_hex(m.text);
        if (auto it = applied_versions.find(m.version); it != applied_versions.end()) {
            if (it->second->checksum != checksum)
                throw MigrateError(fmt::format(
                    "sql/{} was changed after it was applied (recorded checksum {}, file {}); "
                    "never edit an applied migration: restore it and add a new V file",
                    m.name, it->second->checksum.substr(0, 12), checksum.substr(0, 12)));
            ++report.already_current;
            continue;
        }
        co_await apply_one(conn, m, checksum, options.lock_timeout, transactions);
        spdlog::debug("migrate: applied sql/{}", m.name);
        report.applied.push_back(m.name);
    }

    // The rule files: only together with every stored row, when the rules in force are not these.
    if (order != RulesOrder::same) {
        report.rules = co_await install_rules(conn, options, rule_files, report.rules_in_force,
                                              rules, transactions);
        for (const auto* m : rule_files) report.applied.push_back(m->name);
    } else {
        report.already_current += static_cast<int>(rule_files.size());
    }

    // Other repeatable files: in description order, when their checksum changed.
    auto devices = co_await conn.exec("SELECT to_regclass('tracksolid.devices') IS NOT NULL");
    const bool has_devices = devices.get(0, 0) == "t";
    for (const auto& m : plan) {
        if (m.kind != 'R' || m.rules) continue;
        const auto checksum = repeatable_checksum(m.text, has_devices);
        if (auto it = applied_scripts.find(m.name);
            it != applied_scripts.end() && it->second->checksum == checksum) {
            ++report.already_current;
            continue;
        }
        co_await apply_one(conn, m, checksum, options.lock_timeout, transactions);
        spdlog::debug("migrate: applied sql/{}", m.name);
        report.applied.push_back(m.name);
    }

    if (!options.reader_role.empty()) co_await grant_reader(conn, options.reader_role);
    co_return report;
}

// --adopt-existing on a foreign database: the old schema goes aside and the new one is created in
// one transaction, under a lock_timeout so a busy old table fails the adoption instead of
// queueing every reader behind it.
awaitable<MigrateReport> adopt_and_migrate(Connection& conn, const MigrateOptions& options,
                                           const std::vector<MigrationFile>& plan,
                                           const SchemaState& state) {
    std::exception_ptr failure;
    MigrateReport report;
    co_await conn.exec("BEGIN");
    try {
        Params timeout{std::to_string(options.lock_timeout.count())};
        co_await conn.exec("SELECT set_config('lock_timeout', $1, true)", std::move(timeout));
        auto adopted = co_await move_aside(conn, state);
        report = co_await run_plan(conn, options, plan, Transactions::caller);
        report.adopted = std::move(adopted);
        co_await conn.exec("COMMIT");
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        co_await rollback_quietly(conn);
        std::rethrow_exception(failure);
    }
    co_return report;
}

// Under the migrate lock: refuse or adopt a foreign database, else migrate as usual.
awaitable<MigrateReport> migrate_locked(Connection& conn, const MigrateOptions& options,
                                        const std::vector<MigrationFile>& plan) {
    const auto state = co_await inspect_schema(conn);
    if (state.kind != SchemaKind::foreign)
        co_return co_await run_plan(conn, options, plan, Transactions::per_file);
    if (!options.adopt_existing) throw ForeignSchemaError(state);
    co_return co_await adopt_and_migrate(conn, options, plan, state);
}

}  // namespace

awaitable<MigrationStatus> migration_status(Connection& conn) {
    MigrationStatus status;
    const auto plan = plan_migrations(embedded_migrations());
    const auto history = co_await load_history(conn);
    std::map<std::string, const Recorded*> recorded;
    for (const auto& row : history) {
        recorded[row.script] = &row;
        if (row.kind == 'V' && row.version)
            status.applied_version = std::max(status.applied_version, *row.version);
    }
    status.rules_in_force = co_await rules_in_force(conn);
    std::optional<RulesVersion> in_force;
    if (status.rules_in_force) in_force = status.rules_in_force->version;
    status.rules = compare_rules(in_force, build_rules());
    auto devices = co_await conn.exec("SELECT to_regclass('tracksolid.devices') IS NOT NULL");
    const bool has_devices = devices.get(0, 0) == "t";
    for (const auto& m : plan) {
        if (m.kind == 'V') status.known_version = std::max(status.known_version, m.version);
        if (m.rules) {
            // Installed with the rows or not at all: pending when the rules in force are older.
            if (status.rules == RulesOrder::older) status.pending.push_back(m.name);
            continue;
        }
        const auto checksum =
            m.kind == 'V' ? sha256_hex(m.text) : repeatable_checksum(m.text, has_devices);
        const auto it = recorded.find(m.name);
        if (it == recorded.end())
            status.pending.push_back(m.name);
        else if (it->second->checksum != checksum)
            (m.kind == 'V' ? status.edited : status.pending).push_back(m.name);
    }
    co_return status;
}

std::string repeatable_checksum(std::string_view text, bool devices_table_exists) {
    std::string input(text);
    input += devices_table_exists ? "\n-- tracksolid.devices: present\n"
                                  : "\n-- tracksolid.devices: absent\n";
    return sha256_hex(input);
}

awaitable<MigrateReport> migrate(Connection& conn, const MigrateOptions& options) {
    co_return co_await migrate(conn, options, embedded_migrations());
}

awaitable<MigrateReport> migrate(Connection& conn, const MigrateOptions& options,
                                 std::vector<EmbeddedSql> files) {
    const auto plan = plan_migrations(files);
    // Only the writer changes the schema and the rules. A session holding the lock already (the
    // daemon's leader) takes it again at once; the release below leaves that hold in place.
    if (!co_await acquire_writer_lock(conn, options.writer_lock_wait))
        throw WriterLockBusy(fmt::format(
            "another FleetFuel process holds the writer lock (waited {} ms, WRITER_LOCK_WAIT)",
            options.writer_lock_wait.count()));
    const Params key{std::to_string(kMigrateLockKey)};
    std::exception_ptr failure;
    MigrateReport report;
    try {
        // Waits server-side for a concurrent migrate of a release from before the rules version,
        // which takes only this lock; the wait costs this thread nothing.
        co_await conn.exec("SELECT pg_advisory_lock($1::bigint)", key);
        try {
            report = co_await migrate_locked(conn, options, plan);
        } catch (...) {
            failure = std::current_exception();
        }
        if (conn.usable()) co_await conn.exec("SELECT pg_advisory_unlock($1::bigint)", key);
    } catch (...) {
        if (!failure) failure = std::current_exception();
    }
    if (conn.usable()) co_await release_writer_lock(conn);
    if (failure) std::rethrow_exception(failure);
    co_return report;
}

}  // namespace ff::db
