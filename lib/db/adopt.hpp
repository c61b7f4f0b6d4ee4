// fleetfuel migrate --adopt-existing: moves a foreign fuel schema and reporting views (the Python
// tool's) aside, intact, so that FleetFuel can create its own. FleetFuel never touches them again.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/migrate_error.hpp"
#include "db/schema_state.hpp"

namespace ff::db {

struct AdoptReport {
    std::string legacy_schema;          // fuel_legacy, or fuel_legacy_2, ... when that was taken
    std::vector<std::string> moved;     // one line per move, for the operator
    std::vector<std::string> warnings;  // references by name only, which cannot be checked
};

// Some object outside what moves depends on it (a view over reporting.v_fuel_fills, a foreign key
// to fuel.records, ...): moving would leave it reading the frozen legacy copy. what() names them.
class AdoptRefused : public MigrateError {
  public:
    using MigrateError::MigrateError;
};

// Runs inside the caller's transaction (which also creates FleetFuel's schema, so that either
// everything happens or nothing): locks what moves, refuses dependants (AdoptRefused; never
// CASCADE), renames fuel to the first free fuel_legacy[_N] (or creates that schema when only the
// views exist), moves the views into it and comments the schema. `state` is inspect_schema's
// answer for a foreign database.
//
// What is checked: every dependency PostgreSQL records (pg_depend) from an object outside the
// moved set onto one inside it: views and materialised views (their rewrite rules), foreign
// keys, column defaults (sequences), column and argument types, triggers and policies, functions
// with SQL-standard bodies, inheritance, publications. What cannot be: a function body or a
// pg_cron job that names fuel.* in text (reported in `warnings`), and clients that query by name
// (the dashboard then reads FleetFuel's views, which is the point).
boost::asio::awaitable<AdoptReport> move_aside(Connection& conn, const SchemaState& state);

}  // namespace ff::db
