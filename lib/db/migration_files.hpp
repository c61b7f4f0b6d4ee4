// The SQL migration files compiled into the binary, and how their names order them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ff::db {

// One sql/ file as embedded: its file name ("V0001__fuel_schema.sql") and its full text. `rules`:
// an R file that defines the normalisation rules (lib/db/CMakeLists.txt names them), installed
// only together with re-normalising the stored rows (rules.hpp), never on its own.
struct EmbeddedSql {
    std::string_view name;
    std::string_view text;
    bool rules = false;
};

// Every top-level sql/V*.sql and sql/R__*.sql, generated at build time (lib/db/embed_sql.cmake).
const std::vector<EmbeddedSql>& embedded_migrations();

// A file name understood: V<NNNN>__<description>.sql (versioned) or R__<description>.sql
// (repeatable). The description is the part after "__", underscores shown as spaces.
struct MigrationFile {
    char kind = 'V';  // 'V' or 'R'
    int version = 0;  // 0 for 'R'
    std::string description;
    std::string name;
    std::string_view text;
    bool rules = false;  // a rule file (EmbeddedSql::rules); only an R file can be one
};

// Parses every name and orders the plan: V files by version, then R files by description.
// Throws MigrateError on a name it does not understand or two V files with one version.
std::vector<MigrationFile> plan_migrations(const std::vector<EmbeddedSql>& files);

// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

}  // namespace ff::db
