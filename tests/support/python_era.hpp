// The Python-era database fixtures (tests/data/python_era/) and a fingerprint of a
// schema's objects and rows, to prove that refusing changed nothing and adopting kept everything.
#pragma once

#include <string>
#include <vector>

#include "support/pg_test.hpp"

namespace fftest {

// Runs tests/data/python_era/<name>.sql (e.g. "seed") in `session`'s database.
void load_python_era(PgSession& session, const std::string& name);

// One line per object of `schema`: "<relname> <relkind> <md5 of its rows>" for tables, views,
// materialised views and sequences, "function <signature>" and "type <name>" for the rest, sorted.
// Names are unqualified, so a schema renamed intact has the same fingerprint.
std::vector<std::string> schema_fingerprint(PgSession& session, const std::string& schema);

// md5 of the rows of one relation (a table, a view), in a fixed order.
std::string rows_digest(PgSession& session, const std::string& qualified_name);

// Every schema, relation and function outside the system schemas with its definition: equal
// before and after an operation that must change nothing.
std::string catalog_snapshot(PgSession& session);

}  // namespace fftest
