// Scratch fuel database for SQL tests: loads the migrations in order and reads rows back as text.
#include "support/fuel_database.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <vector>

#include "parse/typed_column_set.hpp"

namespace fftest::sql {

namespace {

using ff::parse::SqlType;
using ff::parse::typed_column_set;

Columns to_columns(const std::vector<Row>& rows) {
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0].size() == typed_column_set.size());
    Columns out;
    for (std::size_t i = 0; i < typed_column_set.size(); ++i)
        out[std::string(typed_column_set[i].name)] = rows[0][i];
    return out;
}

// The typed columns as Columns describes them.
std::string render_columns() {
    std::string out;
    for (const auto& [name, type] : typed_column_set) {
        const std::string n(name);
        out += out.empty() ? "" : ", ";
        if (type == SqlType::timestamptz)
            out += "to_char(" + n + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
        else if (type == SqlType::date)
            out += "to_char(" + n + ", 'YYYY-MM-DD')";
        else if (type == SqlType::text)
            out += n;
        else
            out += n + "::text";
    }
    return out;
}

}  // namespace

const std::string normalised_columns_sql = render_columns();

std::string read_source(const std::string& relative_path) {
    const std::string path = std::string(FF_SOURCE_DIR) + "/" + relative_path;
    std::ifstream in(path, std::ios::binary);
    INFO("reading " << path);
    REQUIRE(in.good());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

FuelDatabase::FuelDatabase() : session_(database_.url()) {
    apply("sql/V0001__fuel_schema.sql");
    apply("sql/R__005_unicode_case.sql");
    apply("sql/R__010_normalise.sql");
    apply("sql/R__020_views.sql");
    // Nothing may depend on the session: run every test far from UTC+3 with a day-first date style.
    session_.exec("SET TimeZone = 'America/Los_Angeles'; SET DateStyle = 'SQL, DMY'");
}

void FuelDatabase::apply(const std::string& relative_path) {
    session_.exec(read_source(relative_path));
}

Columns FuelDatabase::insert(long long id, const std::string& raw_json) {
    return to_columns(session_.query(
        std::string("INSERT INTO fuel.records (id, raw) VALUES ($1, $2::jsonb) RETURNING ") +
            normalised_columns_sql,
        {std::to_string(id), raw_json}));
}

Columns FuelDatabase::row(long long id) {
    return to_columns(session_.query(
        std::string("SELECT ") + normalised_columns_sql + " FROM fuel.records WHERE id = $1",
        {std::to_string(id)}));
}

}  // namespace fftest::sql
