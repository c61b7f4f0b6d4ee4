// fleetfuel migrate: applies the embedded sql/ files once each, in order, recorded with checksums.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/adopt.hpp"
#include "db/connection.hpp"
#include "db/migrate_error.hpp"
#include "db/migration_files.hpp"
#include "db/rules.hpp"

namespace ff::db {

struct MigrateOptions {
    std::chrono::milliseconds lock_timeout{10'000};  // lock_timeout for each migration's DDL
    std::string reader_role;                         // FUEL_READER_ROLE; empty = no grants
    // --adopt-existing: a foreign fuel schema or reporting views are moved aside (adopt.hpp) and
    // FleetFuel's schema is created, all in one transaction. Without it they are refused.
    bool adopt_existing = false;
    // --allow-downgrade: install this binary's rules also when the database's are newer
    // (RulesOrder::newer), normalising every stored row again. Without it that is refused.
    bool allow_downgrade = false;
    // How long to wait for the writer lock (WRITER_LOCK_WAIT). A session that holds it already
    // (the daemon's leader) gets it at once.
    std::chrono::milliseconds writer_lock_wait{30'000};
    // The rules the files carry: this build's unless a test installs another build's files.
    std::optional<RulesVersion> rules;
    RenormaliseOptions renormalise;  // batches, and when to stop early (a shutdown)
};

struct MigrateReport {
    std::vector<std::string> applied;              // file names, in the order they ran
    int already_current = 0;                       // files that needed nothing
    std::optional<AdoptReport> adopted;            // what --adopt-existing moved aside
    std::optional<RulesChange> rules;              // when this binary's rules were installed
    std::optional<InstalledRules> rules_in_force;  // before, as read (none: nothing recorded)
};

// The writer lock was not free within MigrateOptions::writer_lock_wait (exit 4).
class WriterLockBusy : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Takes the writer lock (only the writer changes the schema and the rules; WriterLockBusy when
// another process keeps it) and the migrate advisory lock (the only one releases from before the
// rules version take to migrate), and looks at the database (schema_state.hpp): a foreign one is
// refused with ForeignSchemaError, or adopted when asked. Then creates fuel.schema_migrations,
// checks the recorded V checksums, refuses a database migrated by a newer binary, and refuses
// rules newer than this binary's (RulesNewerError) unless allow_downgrade. Applies each pending V
// file in its own transaction; then, when the rules in force are not this binary's, the rule files
// and every stored row normalised again in one transaction (rules.hpp); then each changed R file in
// its own transaction (when adopting, everything in the one transaction); then grants the reader
// role. Throws MigrateError (RulesNewerError among them), WriterLockBusy, RenormaliseStopped or
// DbError. `files` defaults to the embedded set.
boost::asio::awaitable<MigrateReport> migrate(Connection& conn, const MigrateOptions& options);
boost::asio::awaitable<MigrateReport> migrate(Connection& conn, const MigrateOptions& options,
                                              std::vector<EmbeddedSql> files);

// How FleetFuel's recorded history compares with the migrations of this binary, read without
// writing or locking anything (fleetfuel check). For a database whose kind is fleetfuel.
struct MigrationStatus {
    int applied_version = 0;           // newest V recorded
    int known_version = 0;             // newest V this binary has
    std::vector<std::string> pending;  // files migrate would apply now (rule files: see rules)
    std::vector<std::string> edited;   // applied V files whose text differs (migrate refuses)
    std::optional<InstalledRules> rules_in_force;  // none: nothing recorded
    RulesOrder rules = RulesOrder::older;          // the database's against this binary's
};
boost::asio::awaitable<MigrationStatus> migration_status(Connection& conn);

// The checksum recorded for an R file: its text and whether tracksolid.devices exists, so the
// views are rebuilt when that table appears or goes.
std::string repeatable_checksum(std::string_view text, bool devices_table_exists);

}  // namespace ff::db
