// Who owns the places FleetFuel's objects live in (the fuel schema and the two reporting views):
// nobody yet, FleetFuel, or someone else (the Python tool FleetFuel replaces). Read-only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/migrate_error.hpp"

namespace ff::db {

// The two views FleetFuel owns in the shared reporting schema (contract section 6).
inline constexpr const char* kReportingViews[] = {"reporting.v_fuel_fills",
                                                  "reporting.v_fuel_efficiency"};

enum class SchemaKind {
    none,       // nothing there yet (or an empty fuel schema): migrate creates everything
    fleetfuel,  // FleetFuel's migration history is there: migrate upgrades
    foreign,    // fuel or a view exists without FleetFuel's history: migrate refuses
};

const char* to_string(SchemaKind kind);

struct TableRows {
    std::string name;       // schema-qualified, e.g. fuel.records
    std::int64_t rows = 0;  // exact, up to kRowCountCap
    bool more = false;      // more than kRowCountCap rows (not counted further)
};

struct FoundObject {
    std::string type;      // as pg_identify_object names it: "function", "sequence", ...
    std::string identity;  // e.g. fuel.clean_plate(text)
};

// Counting stops here so that looking never scans a huge table.
inline constexpr std::int64_t kRowCountCap = 1'000'000;

struct SchemaState {
    SchemaKind kind = SchemaKind::none;
    int version = 0;  // fleetfuel: the newest V migration applied

    // Set for a foreign database: what is there, for the operator's message and for adopting.
    bool fuel_foreign = false;               // fuel holds objects FleetFuel did not make
    std::vector<std::string> views;          // the reporting views present without FleetFuel
    std::vector<TableRows> tables;           // fuel's tables with their row counts
    std::vector<FoundObject> other_objects;  // fuel's other objects (functions, sequences, ...)

    std::vector<std::string> legacy_schemas;  // fuel_legacy, fuel_legacy_2, ...: adopted earlier
};

// Looks without writing or locking anything. `count_rows` counts the rows of a foreign fuel's
// tables (bounded by kRowCountCap each).
boost::asio::awaitable<SchemaState> inspect_schema(Connection& conn, bool count_rows = true);

// What was found, in one line: "schema fuel with tables fuel.records (1900 rows), ...; other
// objects in fuel: 1 function; views reporting.v_fuel_fills, ...".
std::string describe_found(const SchemaState& state);

// A foreign fuel's contents, its tables named in `schema`: "tables fuel_legacy.records (1900
// rows), ...; 1 function, 2 sequences".
std::string describe_fuel(const SchemaState& state, const std::string& schema = "fuel");

// The database holds a fuel schema or reporting views that FleetFuel did not create; what() is
// the operator's one message: what was found and the command that takes it over.
class ForeignSchemaError : public MigrateError {
  public:
    explicit ForeignSchemaError(const SchemaState& state);
};

// Throws ForeignSchemaError when the database is foreign; for `run` without migrate-on-start.
boost::asio::awaitable<void> refuse_foreign_schema(Connection& conn);

// For the one-shot commands that read or write fuel.*: throws ForeignSchemaError for a foreign
// database and MigrateError ("run fleetfuel migrate first") when there is no schema yet.
boost::asio::awaitable<void> require_fleetfuel_schema(Connection& conn);

}  // namespace ff::db
