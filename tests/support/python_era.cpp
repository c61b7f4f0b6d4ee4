// Loading the Python-era fixtures and fingerprinting schemas (see python_era.hpp).
#include "support/python_era.hpp"

#include <algorithm>
#include <catch2/catch.hpp>

#include "support/run_process.hpp"

namespace fftest {

void load_python_era(PgSession& session, const std::string& name) {
    session.exec(read_file(std::string(FF_SOURCE_DIR) + "/tests/data/python_era/" + name + ".sql"));
}

std::string rows_digest(PgSession& session, const std::string& qualified_name) {
    return session.scalar(
        "SELECT coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), "
        "'empty') FROM " +
        qualified_name + " AS t");
}

std::vector<std::string> schema_fingerprint(PgSession& session, const std::string& schema) {
    std::vector<std::string> lines;
    const auto relations = session.query(
        "SELECT c.relname, c.relkind::text, format('%I.%I', n.nspname, c.relname) "
        "FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i') ORDER BY 1",
        {schema});
    for (const auto& r : relations) {
        std::string content;  // an index has none of its own
        if (*r[1] == "S")
            content = session.scalar("SELECT last_value || ' ' || is_called FROM " + *r[2]);
        else if (*r[1] != "i")
            content = rows_digest(session, *r[2]);
        lines.push_back(*r[0] + " " + *r[1] + " " + content);
    }
    for (const auto& r : session.query("SELECT 'function ' || p.proname || '(' || "
                                       "pg_get_function_identity_arguments(p.oid) || ')' "
                                       "FROM pg_proc AS p WHERE p.pronamespace = "
                                       "to_regnamespace($1)",
                                       {schema}))
        lines.push_back(*r[0]);
    for (const auto& r : session.query("SELECT 'type ' || t.typname FROM pg_type AS t "
                                       "WHERE t.typnamespace = to_regnamespace($1) "
                                       "AND t.typrelid = 0 AND t.typelem = 0",
                                       {schema}))
        lines.push_back(*r[0]);
    std::sort(lines.begin(), lines.end());
    return lines;
}

std::string catalog_snapshot(PgSession& session) {
    return session.scalar(
        "SELECT string_agg(line, E'\\n' ORDER BY line) FROM ("
        "  SELECT 'schema ' || nspname AS line FROM pg_namespace "
        "  WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' "
        "  UNION ALL "
        "  SELECT format('%s.%s %s %s', n.nspname, c.relname, c.relkind, "
        "         coalesce(pg_get_viewdef(c.oid), '')) "
        "  FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' "
        "  UNION ALL "
        "  SELECT format('function %s', p.oid::regprocedure) FROM pg_proc AS p "
        "  JOIN pg_namespace AS n ON n.oid = p.pronamespace "
        "  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
        ") AS all_objects");
}

}  // namespace fftest
