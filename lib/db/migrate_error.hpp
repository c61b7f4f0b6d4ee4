// The error of a migration that must not run (its own header: schema_state and adopt throw it too).
#pragma once

#include <stdexcept>

namespace ff::db {

// A migration that must not run: an applied V file was edited, the database is newer than this
// binary or belongs to another tool, a file name is malformed, the reader role is missing.
// what() names the file, setting or objects, and what to do.
class MigrateError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace ff::db
