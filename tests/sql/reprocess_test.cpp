// The trigger, a reprocess with UPDATE ... SET raw = raw, and fuel.normalise(raw) agree on every
// row. Lets failed checks print the optional values they compared.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "parse/typed_column_set.hpp"
#include "support/fuel_database.hpp"

namespace {

using fftest::sql::FuelDatabase;
using fftest::sql::normalised_columns_sql;

const std::vector<std::string> messy_rows = {
    R"({"reported_at": "2026-06-11 08:30:12", "fill_date": "", "vehicle_reg": " kda-123a ", "litres": "45.5 L",
        "price_per_litre": "KES 180.50", "odometer": "123,456 km", "fuel_type": "AGO", "payment_method": "M-Pesa",
        "full_tank": "Y", "department": "LOGISTICS", "driver_name": " john  kamau ", "station": "Shell Westlands",
        "created_at": "2026-06-11T08:30:12+03:00", "updated_at": "2026-06-11 09:00:00", "extra": {"kept": true}})",
    R"({"fill_date": "31/02/2026", "litres": "45,5", "price_per_litre": 180.5, "amount": "8212/=",
        "full_tank": "maybe", "reported_at": "2026-06-10T22:30:00Z"})",
    R"({"litres": 40, "price_per_litre": 180.5, "amount": 8212.75, "odometer": 0, "vehicle_reg": "KBZ 456B/ZF 1234"})",
    R"({"amount": "Ksh 8212", "price_per_litre": "180.5", "fill_date": "2026-06-11T00:00:00Z", "deleted_at": "2026-06-12"})",
    R"({})",
};

std::vector<fftest::Row> stored(fftest::PgSession& s) {
    return s.query(std::string("SELECT id, ") + normalised_columns_sql +
                   " FROM fuel.records ORDER BY id");
}

void insert_messy_rows(FuelDatabase& db) {
    long long id = 1;
    for (const auto& raw : messy_rows)
        db.session().query("INSERT INTO fuel.records (id, raw) VALUES ($1, $2::jsonb)",
                           {std::to_string(id++), raw});
}

}  // namespace

TEST_CASE("UPDATE fuel.records SET raw = raw recomputes exactly the columns the insert produced") {
    FuelDatabase db;
    insert_messy_rows(db);
    const auto before = stored(db.session());
    REQUIRE(before.size() == messy_rows.size());

    // Spoil the typed columns without touching raw: the trigger must not fire for this.
    db.session().exec(
        "UPDATE fuel.records SET litres = 1, flags = '{}', fill_date = '1999-01-01', vehicle_reg = "
        "'X'");
    CHECK(stored(db.session()) != before);

    db.session().exec("UPDATE fuel.records SET raw = raw");
    CHECK(stored(db.session()) == before);
}

TEST_CASE(
    "fuel.normalise(raw) returns what the trigger stored, so an ingest can apply it set-based") {
    FuelDatabase db;
    insert_messy_rows(db);
    const auto differing = db.session().scalar(
        "SELECT count(*) FROM fuel.records AS r CROSS JOIN LATERAL fuel.normalise(r.raw) AS n "
        "WHERE (" +
        ff::parse::typed_column_list("n.") + ") IS DISTINCT FROM (" +
        ff::parse::typed_column_list("r.") + ")");
    CHECK(differing == "0");
    // Every column of the result is a typed column of fuel.records, with the same type.
    const auto mismatched_types = db.session().scalar(R"(
        SELECT count(*) FROM (
            SELECT p.name, p.type FROM pg_proc AS f
            CROSS JOIN LATERAL unnest(f.proargnames, f.proallargtypes::oid[], f.proargmodes) AS p(name, type, mode)
            WHERE f.oid = 'fuel.normalise(jsonb)'::regprocedure AND p.mode = 'o') AS o
        LEFT JOIN pg_attribute AS a
               ON a.attrelid = 'fuel.records'::regclass AND a.attname = o.name AND a.atttypid = o.type
        WHERE a.attname IS NULL)");
    CHECK(mismatched_types == "0");
}

TEST_CASE("The trigger leaves the id, raw, liveness and ingest bookkeeping to the writer") {
    FuelDatabase db;
    auto& s = db.session();
    s.exec(
        R"(INSERT INTO fuel.records (id, raw, deleted_at, version, content_hash, deleted_reason, sanitised)
              VALUES (5, '{"id": 5, "litres": "45.5", "deleted_at": "2026-06-12 00:00:00", "odd": [1, "x"]}',
                      '2026-06-13T00:00:00Z', '2026-06-11T06:00:00Z', '\x0102', 'delete_op', true))");
    const auto expected = s.query(
        "SELECT id, raw::text, deleted_at, version, content_hash, deleted_reason, sanitised FROM "
        "fuel.records");
    s.exec("UPDATE fuel.records SET raw = raw");
    CHECK(s.query(
              "SELECT id, raw::text, deleted_at, version, content_hash, deleted_reason, sanitised "
              "FROM fuel.records") == expected);
    CHECK(s.scalar("SELECT raw->>'odd' FROM fuel.records") == "[1, \"x\"]");
    CHECK(s.scalar("SELECT to_char(source_deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') "
                   "FROM fuel.records") == "2026-06-11 21:00");
}

TEST_CASE("Re-applying the repeatable SQL changes nothing and keeps the trigger working") {
    FuelDatabase db;
    db.apply("sql/R__010_normalise.sql");
    db.apply("sql/R__020_views.sql");
    db.apply("sql/R__005_unicode_case.sql");
    db.apply("sql/R__010_normalise.sql");
    CHECK(db.session().scalar(
              "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'fuel.records'::regclass "
              "AND NOT tgisinternal") == "1");
    CHECK(db.insert(1, R"({"id": 1, "litres": "45.5 L"})").at("litres") == "45.5");
}

TEST_CASE("Raw rows that are not JSON objects normalise to NULLs instead of failing") {
    FuelDatabase db;
    CHECK(db.insert(1, R"([1, 2, 3])").at("flags") == "{}");
    CHECK(db.insert(2, R"("just text")").at("litres") == std::nullopt);
    CHECK(db.insert(3, R"(42)").at("vehicle_reg") == std::nullopt);
}

TEST_CASE("Every normalisation function pins its search_path and never depends on the caller's") {
    FuelDatabase db;
    const auto pinned = db.session().scalar(R"(
        SELECT count(*) FROM pg_proc
        WHERE pronamespace = 'fuel'::regnamespace
          AND proname IN ('collapse', 'plate', 'department', 'clean_number', 'parse_number', 'parse_odometer',
                          'make_date_or_null', 'parse_date', 'parse_timestamptz', 'normalise', 'records_normalise',
                          'title_case')
          AND proconfig @> ARRAY['search_path=pg_catalog, fuel'])");
    CHECK(pinned == "12");
    db.session().exec("SET search_path = public");
    CHECK(db.insert(1, R"({"id": 1, "vehicle_reg": "kda 123a"})").at("vehicle_reg") == "KDA123A");
}
