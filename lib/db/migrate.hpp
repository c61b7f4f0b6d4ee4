// fleetfuel migrate: applies the embedded sql/ files once each, in order, recorded with checksums.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "db/adopt.hpp"
#include "db/connection.hpp"
#include "db/migrate_error.hpp"
#include "db/migration_files.hpp"

namespace ff::db {

struct MigrateOptions {
    std::chrono::milliseconds lock_timeout{10'000};  // lock_timeout for each migration's DDL
    std::string reader_role;                         // FUEL_READER_ROLE; empty = no grants
    // --adopt-existing: a foreign fuel schema or reporting views are moved aside (adopt.hpp) and
    // FleetFuel's schema is created, all in one transaction. Without it they are refused.
    bool adopt_existing = false;
};

struct MigrateReport {
    std::vector<std::string> applied;    // file names, in the order they ran
    int already_current = 0;             // files that needed nothing
    std::optional<AdoptReport> adopted;  // what --adopt-existing moved aside
};

// Takes the migrate advisory lock (so concurrent migrates are safe) and looks at the database
// (schema_state.hpp): a foreign one is refused with ForeignSchemaError, or adopted when asked.
// Then creates fuel.schema_migrations, checks the recorded V checksums and refuses a database
// migrated by a newer binary, applies each pending V file and each changed R file in its own
// transaction (when adopting, everything in the one transaction), then grants the reader role.
// Throws MigrateError or DbError. `files` defaults to the embedded set.
boost::asio::awaitable<MigrateReport> migrate(Connection& conn, const MigrateOptions& options);
boost::asio::awaitable<MigrateReport> migrate(Connection& conn, const MigrateOptions& options,
                                              std::vector<EmbeddedSql> files);

// How FleetFuel's recorded history compares with the migrations of this binary, read without
// writing or locking anything (fleetfuel check). For a database whose kind is fleetfuel.
struct MigrationStatus {
    int applied_version = 0;           // newest V recorded
    int known_version = 0;             // newest V this binary has
    std::vector<std::string> pending;  // files migrate would apply now
    std::vector<std::string> edited;   // applied V files whose text differs (migrate refuses)
};
boost::asio::awaitable<MigrationStatus> migration_status(Connection& conn);

// The checksum recorded for an R file: its text and whether tracksolid.devices exists, so the
// views are rebuilt when that table appears or goes.
std::string repeatable_checksum(std::string_view text, bool devices_table_exists);

}  // namespace ff::db
