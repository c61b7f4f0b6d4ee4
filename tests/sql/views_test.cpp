// Contract section 6: the reporting views, with and without tracksolid.devices.
// Lets failed checks print the optional values they compared.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/fuel_database.hpp"

namespace {

using fftest::sql::FuelDatabase;
using Opt = std::optional<std::string>;
constexpr auto null = std::nullopt;

std::vector<std::string> columns_of(fftest::PgSession& s, const std::string& view) {
    std::vector<std::string> names;
    for (const auto& row :
         s.query("SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 "
                 "ORDER BY attnum",
                 {view}))
        names.push_back(*row[0]);
    return names;
}

std::vector<std::string> prefix(const std::vector<std::string>& names, std::size_t n) {
    return {names.begin(), names.begin() + static_cast<long>(std::min(n, names.size()))};
}

void insert_fills(FuelDatabase& db) {
    auto& s = db.session();
    s.exec(R"(INSERT INTO fuel.records (id, raw) VALUES
        (1, '{"id": 1, "vehicle_reg": "kda 123a", "fill_date": "2026-06-01", "litres": 40, "price_per_litre": 180}'),
        (2, '{"id": 2, "vehicle_reg": "KDD-001D", "fill_date": "2026-06-01", "litres": 30, "amount": 5400}'),
        (3, '{"id": 3, "vehicle_reg": "KXX 999X", "fill_date": "2026-06-01", "litres": 20}'),
        (4, '{"id": 4, "vehicle_reg": "KBZ 456B/ZF 1234", "fill_date": "2026-06-01"}'),
        (5, '{"id": 5, "fill_date": "2026-06-01"}'),
        (6, '{"id": 6, "vehicle_reg": "KDA123A", "fill_date": "2026-06-02"}'))");
    s.exec("UPDATE fuel.records SET deleted_at = now() WHERE id = 6");
}

const std::vector<std::string> fills_columns = {"id",
                                                "fill_date",
                                                "reported_at",
                                                "vehicle_reg",
                                                "vehicle_reg_raw",
                                                "vehicle_number",
                                                "imei",
                                                "device_name",
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
                                                "flags"};
const std::vector<std::string> efficiency_columns = {
    "id",           "vehicle_reg",      "vehicle_number",   "fill_date",
    "odometer_km",  "litres",           "prev_odometer_km", "distance_km",
    "km_per_litre", "litres_per_100km", "plausible"};

}  // namespace

TEST_CASE("The views have the contract's columns, in order, with the contract's types") {
    FuelDatabase db;
    auto& s = db.session();
    CHECK(prefix(columns_of(s, "reporting.v_fuel_fills"), fills_columns.size()) == fills_columns);
    CHECK(prefix(columns_of(s, "reporting.v_fuel_efficiency"), efficiency_columns.size()) ==
          efficiency_columns);
    CHECK(s.scalar(
              "SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM "
              "pg_attribute "
              "WHERE attrelid = 'reporting.v_fuel_fills'::regclass AND attnum BETWEEN 1 AND 20") ==
          "bigint,date,timestamp with time "
          "zone,text,text,text,text,text,text,text,text,numeric,numeric,numeric,"
          "integer,text,text,text,boolean,text[]");
    CHECK(s.scalar("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM "
                   "pg_attribute "
                   "WHERE attrelid = 'reporting.v_fuel_efficiency'::regclass AND attnum BETWEEN 1 "
                   "AND 11") ==
          "bigint,text,text,date,integer,numeric,integer,integer,numeric,numeric,boolean");
}

TEST_CASE(
    "Without tracksolid.devices the views exist, list live fills only, and carry no vehicle "
    "identity") {
    FuelDatabase db;
    insert_fills(db);
    auto& s = db.session();
    CHECK(s.query("SELECT id FROM reporting.v_fuel_fills ORDER BY id") ==
          std::vector<fftest::Row>{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}});
    CHECK(s.scalar("SELECT count(*) FROM reporting.v_fuel_fills WHERE vehicle_number IS NOT NULL "
                   "OR imei IS NOT NULL "
                   "OR device_name IS NOT NULL") == "0");
    // The deployment runbook's verification queries.
    CHECK(
        s.query("SELECT count(*), count(*) FILTER (WHERE deleted_at IS NULL) FROM fuel.records") ==
        std::vector<fftest::Row>{{"6", "5"}});
    CHECK(s.scalar("SELECT count(*) FILTER (WHERE vehicle_number IS NOT NULL) FROM "
                   "reporting.v_fuel_fills") == "0");
    CHECK(s.query("SELECT vehicle_reg, vehicle_reg_raw, amount::text, flags::text FROM "
                  "reporting.v_fuel_fills "
                  "WHERE id = 1") ==
          std::vector<fftest::Row>{{"KDA123A", "kda 123a", "7200.00", "{derived_amount}"}});
    CHECK(s.scalar("SELECT flags::text FROM reporting.v_fuel_fills WHERE id = 5") == "{}");
}

TEST_CASE(
    "Once tracksolid.devices exists and the views are re-applied, plates match and a shared plate "
    "gives one row") {
    FuelDatabase db;
    insert_fills(db);
    db.apply("sql/dev/tracksolid_devices.sql");
    db.apply("sql/R__020_views.sql");
    auto& s = db.session();
    const auto fills = s.query(
        "SELECT id::text, vehicle_number, imei, device_name FROM reporting.v_fuel_fills ORDER BY "
        "id");
    CHECK(fills ==
          std::vector<fftest::Row>{
              {"1", "KDA 123A", "860000000000001", "GT06-KDA"},
              // Two devices carry KDD001D: the lowest imei is picked, and the fill appears once.
              {"2", "kdd001d", "860000000000004", "GT06-KDD-old"},
              {"3", null, null, null},
              {"4", "kbz-456b/ZF 1234", "860000000000002", "GT06-KBZ"},
              {"5", null, null, null}});
    CHECK(s.scalar("SELECT count(*) FILTER (WHERE vehicle_number IS NOT NULL) FROM "
                   "reporting.v_fuel_fills") == "3");
    CHECK(s.scalar("SELECT count(*) FROM reporting.v_fuel_efficiency") == "4");

    // The telematics team may drop their table; re-applying the views takes them back to NULL
    // identity.
    s.exec(
        "DROP VIEW reporting.v_fuel_efficiency; DROP VIEW reporting.v_fuel_fills; DROP TABLE "
        "tracksolid.devices");
    db.apply("sql/R__020_views.sql");
    CHECK(s.scalar("SELECT count(*) FILTER (WHERE vehicle_number IS NOT NULL) FROM "
                   "reporting.v_fuel_fills") == "0");
}

TEST_CASE(
    "Efficiency pairs each fill with the vehicle's previous odometer reading and judges "
    "plausibility") {
    FuelDatabase db;
    auto& s = db.session();
    // Ids are out of date order on purpose: the order is (fill_date, reported_at, id).
    s.exec(R"(INSERT INTO fuel.records (id, raw) VALUES
        (10, '{"vehicle_reg": "KDA 123A", "fill_date": "2026-06-01", "odometer": 10000, "litres": 40}'),
        (9,  '{"vehicle_reg": "kda123a", "fill_date": "2026-06-02", "reported_at": "2026-06-02 09:00", "odometer": 10400, "litres": 40}'),
        (8,  '{"vehicle_reg": "KDA123A", "fill_date": "2026-06-02", "reported_at": "2026-06-02 18:00", "odometer": "10,300 km", "litres": 40}'),
        (7,  '{"vehicle_reg": "KDA123A", "fill_date": "2026-06-03", "odometer": 10700, "litres": "0"}'),
        (6,  '{"vehicle_reg": "KDA123A", "fill_date": "2026-06-04", "litres": 30}'),
        (5,  '{"vehicle_reg": "KDA123A", "fill_date": "2026-06-05", "odometer": 99999, "litres": 30}'),
        (4,  '{"vehicle_reg": "KDA123A", "fill_date": "2026-06-06", "odometer": 11000, "litres": 30}'),
        (3,  '{"vehicle_reg": "KDA123A", "fill_date": "2026-06-07", "odometer": 13000, "litres": 10}'),
        (2,  '{"vehicle_reg": "KBZ 456B", "fill_date": "2026-06-01", "odometer": 5000, "litres": 50}'),
        (11, '{"vehicle_reg": "KBZ 456B", "fill_date": "2026-06-02", "odometer": 5000, "litres": 50}'),
        (12, '{"vehicle_reg": "KBZ 456B", "fill_date": "2026-06-03", "odometer": 5010, "litres": 50}'),
        (1,  '{"fill_date": "2026-06-01", "odometer": 1, "litres": 1}'))");
    s.exec("UPDATE fuel.records SET deleted_at = now() WHERE id = 5");
    const auto rows = s.query(R"(
        SELECT id::text, vehicle_reg, odometer_km::text, prev_odometer_km::text, distance_km::text,
               km_per_litre::text, litres_per_100km::text, plausible::text, implausible_reason
        FROM reporting.v_fuel_efficiency ORDER BY vehicle_reg, fill_date, reported_at, id)");
    CHECK(
        rows ==
        std::vector<fftest::Row>{
            {"2", "KBZ456B", "5000", null, null, null, null, null, null},  // first fill
            {"11", "KBZ456B", "5000", "5000", "0", "0.00", null, "false", "odometer_unchanged"},
            {"12", "KBZ456B", "5010", "5000", "10", "0.20", "500.00", "false", "km_per_litre_low"},
            {"10", "KDA123A", "10000", null, null, null, null, null, null},  // first fill
            {"9", "KDA123A", "10400", "10000", "400", "10.00", "10.00", "true", null},
            {"8", "KDA123A", "10300", "10400", "-100", "-2.50", "-40.00", "false",
             "odometer_backwards"},
            {"7", "KDA123A", "10700", "10300", "400", null, "0.00", "false", "no_litres"},
            {"6", "KDA123A", null, "10700", null, null, null, null, null},  // no reading
            // The deleted fill (id 5) is skipped: the previous reading is 10700.
            {"4", "KDA123A", "11000", "10700", "300", "10.00", "10.00", "true", null},
            {"3", "KDA123A", "13000", "11000", "2000", "200.00", "0.50", "false",
             "km_per_litre_high"}});
}
