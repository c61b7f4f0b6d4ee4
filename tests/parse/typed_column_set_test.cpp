// Every place of the SQL that spells the typed columns agrees with lib/parse/typed_column_set.hpp,
// read from PostgreSQL's catalogue after the migrations: the table, fuel.normalise's OUT
// parameters, the staging tables the stagers COPY into, and the functions that copy the columns.
#include "parse/typed_column_set.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "support/fuel_database.hpp"

namespace {

using ff::parse::sql_type_name;
using ff::parse::typed_column_set;
using fftest::Row;
using fftest::sql::FuelDatabase;

struct Column {
    std::string name, type;
    bool operator==(const Column&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Column& c) {
    return os << c.name << ' ' << c.type;
}

std::vector<Column> expected_columns() {
    std::vector<Column> out;
    for (const auto& c : typed_column_set)
        out.push_back({std::string(c.name), std::string(sql_type_name(c.type))});
    return out;
}

// The columns of `table` that the set names, in the table's order, with their types.
std::vector<Column> typed_columns_of(fftest::PgSession& s, const std::string& table) {
    std::vector<Column> out;
    for (const Row& r :
         s.query("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                 "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped "
                 "ORDER BY attnum",
                 {table})) {
        for (const auto& c : typed_column_set)
            if (*r[0] == c.name) out.push_back({*r[0], *r[1]});
    }
    return out;
}

// The database with every migration an ingest needs (the staging tables and apply functions too).
struct IngestSchema {
    IngestSchema() {
        db.apply("sql/R__030_ingest.sql");
        db.apply("sql/R__031_ingest_changes.sql");
    }
    FuelDatabase db;
};

}  // namespace

TEST_CASE("fuel.records holds the typed column set, in its order, with its types") {
    IngestSchema schema;
    CHECK(typed_columns_of(schema.db.session(), "fuel.records") == expected_columns());
}

TEST_CASE("fuel.normalise answers exactly the typed column set, in its order") {
    IngestSchema schema;
    std::vector<Column> out;
    for (const Row& r : schema.db.session().query(
             "SELECT a.name, format_type(a.type, NULL) FROM pg_proc f, "
             "unnest(f.proargnames, f.proallargtypes, f.proargmodes) WITH ORDINALITY "
             "AS a (name, type, mode, n) "
             "WHERE f.oid = 'fuel.normalise(jsonb)'::regprocedure AND a.mode = 'o' ORDER BY a.n"))
        out.push_back({*r[0], *r[1]});
    CHECK(out == expected_columns());
}

TEST_CASE("The staging tables the stagers COPY into hold the typed column set with its types") {
    IngestSchema schema;
    auto& s = schema.db.session();
    s.exec("BEGIN; SELECT fuel.ingest_begin_snapshot(); SELECT fuel.ingest_begin_changes()");
    for (const char* table : {"pg_temp.ingest_snap_rows", "pg_temp.ingest_chg_rows"}) {
        INFO(table);
        CHECK(typed_columns_of(s, table) == expected_columns());
        CHECK(s.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid "
                       "= $1::regclass AND attname = 'typed'",
                       {table}) == "boolean");
    }
    s.exec("ROLLBACK");
}

// A function that names most of the columns copies the whole row of them (the trigger,
// fuel.renormalise, the apply functions): a column of the set missing from its body is one
// the function would leave behind.
TEST_CASE("Every fuel function that copies the typed columns names every one of them") {
    IngestSchema schema;
    auto& s = schema.db.session();
    std::string names = "ARRAY[";
    for (const auto& c : typed_column_set)
        names += (names.size() > 6 ? ", '" : "'") + std::string(c.name) + "'";
    names += "]";
    const auto functions = s.query(
        "SELECT f.oid::regprocedure::text, "
        "       array_to_string(array_agg(c) FILTER (WHERE f.prosrc !~ ('\\m' || c || '\\M')), "
        "                       ', ') "
        "FROM pg_proc f CROSS JOIN unnest(" +
        names +
        ") AS c "
        "WHERE f.pronamespace = 'fuel'::regnamespace "
        "GROUP BY f.oid "
        "HAVING count(*) FILTER (WHERE f.prosrc ~ ('\\m' || c || '\\M')) * 2 > count(*) "
        "ORDER BY 1");
    std::vector<std::string> copying;
    for (const Row& f : functions) {
        copying.push_back(*f[0]);
        INFO(*f[0] << " does not name: " << f[1].value_or(""));
        CHECK(f[1].value_or("").empty());
    }
    // The check finds what it is about: the trigger and fuel.renormalise of R__010 at least.
    INFO("functions checked: " << Catch::Detail::stringify(copying));
    CHECK(std::count(copying.begin(), copying.end(), "fuel.records_normalise()") == 1);
    CHECK(std::count(copying.begin(), copying.end(), "fuel.renormalise(bigint,bigint)") == 1);
    CHECK(copying.size() >= 4);
}
