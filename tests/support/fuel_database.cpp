// Scratch fuel database for SQL tests: loads the migrations in order and reads rows back as text.
#include "support/fuel_database.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <vector>

namespace fftest::sql {

namespace {

const std::vector<std::string> column_names = {"message_id",
                                               "reported_at",
                                               "fill_date",
                                               "vehicle_reg",
                                               "vehicle_reg_raw",
                                               "driver_name",
                                               "department",
                                               "station",
                                               "litres",
                                               "price_per_litre",
                                               "amount",
                                               "odometer_km",
                                               "fuel_type",
                                               "payment_method",
                                               "receipt_no",
                                               "full_tank",
                                               "notes",
                                               "flags",
                                               "source_created_at",
                                               "source_updated_at",
                                               "source_deleted_at"};

Columns to_columns(const std::vector<Row>& rows) {
    REQUIRE(rows.size() == 1);
    REQUIRE(rows[0].size() == column_names.size());
    Columns out;
    for (std::size_t i = 0; i < column_names.size(); ++i) out[column_names[i]] = rows[0][i];
    return out;
}

}  // namespace

const char* const normalised_columns_sql = R"(
    message_id,
    to_char(reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    to_char(fill_date, 'YYYY-MM-DD'),
    vehicle_reg, vehicle_reg_raw, driver_name, department, station,
    litres::text, price_per_litre::text, amount::text, odometer_km::text,
    fuel_type, payment_method, receipt_no, full_tank::text, notes, flags::text,
    to_char(source_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    to_char(source_updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    to_char(source_deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))";

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
