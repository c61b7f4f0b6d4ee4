// A scratch database with the fuel schema and its repeatable SQL loaded, plus row helpers for
// tests.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "support/pg_test.hpp"

namespace fftest::sql {

// The text of a file of the source tree, e.g. "sql/R__010_normalise.sql".
std::string read_source(const std::string& relative_path);

// The normalised columns of one fuel.records row, by column name, as text (NULL as nullopt).
// Timestamps read as UTC "YYYY-MM-DDTHH:MM:SS.ffffffZ", dates "YYYY-MM-DD", booleans
// "true"/"false".
using Columns = std::map<std::string, std::optional<std::string>>;

// V0001 then R__005, R__010, R__020 applied in the migration runner's order, in a fresh database.
// The session runs in a time zone and date style far from Nairobi's on purpose.
class FuelDatabase {
  public:
    FuelDatabase();

    // Runs one file of the source tree as the migration runner would.
    void apply(const std::string& relative_path);

    // Inserts (id, raw) into fuel.records and returns what the trigger stored.
    Columns insert(long long id, const std::string& raw_json);
    // The stored normalised columns of one row.
    Columns row(long long id);

    PgSession& session() { return session_; }

  private:
    ScratchDatabase database_;
    PgSession session_;
};

// The SQL select list that renders the normalised columns the way Columns describes them.
extern const std::string normalised_columns_sql;

}  // namespace fftest::sql
