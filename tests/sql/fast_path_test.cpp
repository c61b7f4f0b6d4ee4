// The fast paths of normalisation (inlinable fuel.norm_* blocks) read exactly what the full
// parsers read, and cannot depend on the caller's search_path.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include "sql/fuel_database.hpp"

namespace {

using fftest::sql::FuelDatabase;

}  // namespace

TEST_CASE("Timestamps in the common shapes read the same on the fast path as in the full parser") {
    FuelDatabase db;
    // Valid and invalid values of every fast shape: out-of-range fields, offsets, leap days.
    const auto differing = db.session().scalar(R"(
        WITH v(s) AS (
            SELECT pg_catalog.format('%s-%s-%s%s%s:%s:%s%s', y, lpad(m::text, 2, '0'), lpad(d::text, 2, '0'), sep,
                                     lpad(h::text, 2, '0'), lpad(mi::text, 2, '0'), lpad(ss::text, 2, '0'), z)
            FROM unnest(ARRAY['2026', '2024', '1900', '0000']) AS y, unnest(ARRAY[0, 2, 12, 13]) AS m,
                 unnest(ARRAY[0, 1, 29, 31, 99]) AS d, unnest(ARRAY[' ', 'T']) AS sep,
                 unnest(ARRAY[0, 23, 24]) AS h, unnest(ARRAY[0, 59, 60]) AS mi, unnest(ARRAY[0, 59, 60]) AS ss,
                 unnest(ARRAY['', 'Z', '+03:00', '-14:30', '+16:00', '+03:60', '-00:00']) AS z)
        SELECT count(*) FROM v
        WHERE fuel.norm_common_timestamptz(s) IS NOT NULL
          AND fuel.norm_common_timestamptz(s) IS DISTINCT FROM fuel.parse_timestamptz(s))");
    CHECK(differing == "0");
    const auto fast = db.session().scalar(
        "SELECT count(*) FROM (VALUES ('2026-06-11 08:30:12'), ('2026-06-11T08:30:12+03:00'), "
        "('2026-06-11T05:30:12Z')) AS v(s) WHERE fuel.norm_common_timestamptz(s) IS NOT NULL");
    CHECK(fast == "3");
}

TEST_CASE("Every common timestamp shape is one the contract's timestamp pattern accepts") {
    FuelDatabase db;
    // The shapes as written in the function; each digit stands for any digit.
    const auto outside = db.session().scalar(R"(
        SELECT count(*) FROM unnest((SELECT ('{' || substring(pg_get_functiondef(
                   'fuel.norm_common_timestamp_shape(text)'::regprocedure) FROM '''\{(.*)\}''') || '}')::text[])) AS s
        WHERE s !~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ] *[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? *([Zz]|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?)?)?$')");
    CHECK(outside == "0");
}

TEST_CASE("Numbers at the bounds of the plain fast path read as the full parser reads them") {
    FuelDatabase db;
    const auto differing = db.session().scalar(R"(
        WITH v(s) AS (VALUES ('123456789012345'), ('1234567890123456'), ('-123456789012345.5'),
                             ('0000000000000001'), ('1.' || repeat('5', 100)), ('1.' || repeat('5', 101)),
                             ('2147483647'), ('2147483648'), ('0'), ('007'), ('45.5'), ('-0.5'), ('1e5'),
                             (repeat('0', 250)), ('12345678901'))
        SELECT count(*) FROM v
        WHERE coalesce(fuel.norm_plain_number(s), fuel.parse_number(s)) IS DISTINCT FROM fuel.parse_number(s)
           OR (fuel.norm_plain_number(s) IS NOT NULL AND fuel.norm_plain_number(s) IS DISTINCT FROM s::numeric)
           OR coalesce(fuel.norm_plain_odometer(s), fuel.parse_odometer(s)) IS DISTINCT FROM fuel.parse_odometer(s))");
    CHECK(differing == "0");
    CHECK(db.session().scalar("SELECT fuel.parse_number(repeat('0', 250)) IS NULL") == "t");
    CHECK(db.session().scalar("SELECT fuel.parse_odometer(repeat('0', 250)) IS NULL") == "t");
    CHECK(db.session().scalar("SELECT fuel.parse_number('0000000000000001')") == "1");
}

TEST_CASE(
    "The inlinable normalisation blocks are bound when created, not by the caller's search_path") {
    FuelDatabase db;
    // A SQL-standard body (prosqlbody) is parsed once, at CREATE; a string body would be re-parsed
    // with the caller's search_path when inlined.
    CHECK(db.session().scalar(
              "SELECT count(*) FROM pg_proc WHERE pronamespace = 'fuel'::regnamespace "
              "AND proname LIKE 'norm\\_%' AND (prosqlbody IS NULL OR provolatile <> 'i')") == "0");
    CHECK(db.session().scalar("SELECT count(*) FROM pg_proc WHERE pronamespace = "
                              "'fuel'::regnamespace AND proname LIKE 'norm\\_%'") != "0");
    db.session().exec("SET search_path = public");
    CHECK(db.insert(1, R"({"id": 1, "reported_at": "2026-06-11 08:30:12", "litres": 45.5})")
              .at("reported_at") == "2026-06-11T05:30:12.000000Z");
}
