// The fast paths of normalisation (inlinable fuel.norm_* blocks) read exactly what the full
// parsers read, and cannot depend on the caller's search_path.
#define CATCH_CONFIG_ENABLE_OPTIONAL_STRINGMAKER
#include <catch2/catch.hpp>

#include "support/fuel_database.hpp"

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

TEST_CASE("Calendar dates are accepted exactly when the calendar has them, leap days included") {
    FuelDatabase db;
    // Every (year, month, day) around the month ends, leap and non-leap centuries included, against
    // the days PostgreSQL's own calendar lists.
    const auto differing = db.session().scalar(R"(
        SELECT count(*)
        FROM unnest(ARRAY[1, 1900, 2000, 2023, 2024, 2100, 2400, 9999]) AS y, generate_series(0, 13) AS m,
             generate_series(0, 32) AS d
        WHERE fuel.norm_date(y, m, d) IS DISTINCT FROM
              (SELECT g::date FROM generate_series(make_date(y, 1, 1), make_date(y, 12, 31), interval '1 day') AS g
               WHERE extract(month FROM g) = m AND extract(day FROM g) = d))");
    CHECK(differing == "0");
    CHECK(db.session().scalar(
              "SELECT fuel.norm_date(0, 1, 1) IS NULL AND fuel.norm_date(10000, 1, 1) IS NULL") ==
          "t");
}

TEST_CASE("fuel.normalise reads fill dates and messy numbers as the full parsers read them") {
    FuelDatabase db;
    // What the row function reads inline (day-first and ISO dates, cleaned numbers) must be what
    // fuel.parse_date, fuel.parse_number and fuel.parse_odometer return for the same text.
    const auto differing = db.session().scalar(R"(
        WITH v(s) AS (
            SELECT unnest(ARRAY['2026-06-11', '11/06/2026', '1/6/2026', '31/02/2026', '29/02/2024', '11-06-2026',
                                '9-1-2026', '2026-6-1', ' 2026-06-11 ', '2026-06-11T00:00:00Z', '2026-06-11 08:30',
                                '2026-02-30T00:00:00Z', '2026-06-11t08:30', '00/00/0000', '', ' ', 'last week',
                                '1,045.50', '45.5 L', '45.5ltrs', 'KES 8,212.75', 'Ksh 8212', '8212/=', '45,5',
                                '123,456 km', '123456KM', '123456.0', '123456.5', '+12', 'KES', 'kesksh12',
                                '1,2345', '12,345,678', E'1\t000', repeat('1', 201), 'k' || repeat('1', 250),
                                '99999999999 km', '2147483648km', '.5', '5.', 'abc']))
        SELECT count(*) FROM v,
             LATERAL fuel.normalise(jsonb_build_object('fill_date', s, 'litres', s, 'odometer', s,
                                                       'reported_at', '2026-01-01 12:00:00')) AS n
        WHERE n.fill_date IS DISTINCT FROM coalesce(fuel.parse_date(s), date '2026-01-01')
           OR n.litres IS DISTINCT FROM fuel.parse_number(s)
           OR n.odometer_km IS DISTINCT FROM fuel.parse_odometer(s)
           OR ('unreadable_date' = ANY (n.flags)) IS DISTINCT FROM (fuel.parse_date(s) IS NULL AND btrim(s, E' \t') <> '')
           OR ('unparseable_number' = ANY (n.flags)) IS DISTINCT FROM
              ((fuel.parse_number(s) IS NULL OR fuel.parse_odometer(s) IS NULL) AND btrim(s, E' \t') <> ''))");
    CHECK(differing == "0");
    CHECK(db.session().scalar("SELECT litres || ' ' || odometer_km FROM fuel.normalise("
                              "'{\"litres\": \"1,045.50 L\", \"odometer\": \"123,456 km\"}')") ==
          "1045.50 123456");
}
