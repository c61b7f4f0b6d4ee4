// Rows the stager cannot read itself (the C++ fast path declines them) are normalised by the
// database in the same apply: the stored typed columns are fuel.normalise(raw) either way, for a
// first load, a reconcile and a change file, and the counts do not depend on who read a row.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "parse/typed_columns.hpp"
#include "support/engine_fixture.hpp"

using namespace fftest;
using ff::ingest::Refusal;

namespace {

// A row in shapes only fuel.normalise reads: a non-ASCII department and fuel type, a number with
// an exponent, a timestamp with seven fraction digits, an unusual zone and a fill date in no
// known shape that starts with a digit.
std::string declined_row(long long id, int version) {
    return "{\"id\": " + std::to_string(id) +
           ", \"department\": \"Ünïcode  OPS\", \"fuel_type\": \" DIÉSEL \", \"litres\": 1e2, "
           "\"price_per_litre\": \"KES 180.50\", \"reported_at\": "
           "\"2026-06-01T10:00:00.1234567Z\", "
           "\"fill_date\": \"1st of June\", \"created_at\": \"2026-06-01 10:00 UTC\", "
           "\"updated_at\": \"2026-06-0" +
           std::to_string(version) + "T00:00:00Z\", \"vehicle_reg\": \"kda 123a\"}";
}

std::string plain_row(long long id, int version) {
    return "{\"id\": " + std::to_string(id) +
           ", \"department\": \"logistics\", \"litres\": \"45.5 L\", \"price_per_litre\": 180.5, "
           "\"reported_at\": \"2026-06-01 10:00:00\", \"updated_at\": \"2026-06-0" +
           std::to_string(version) + "T00:00:00Z\", \"vehicle_reg\": \"KBZ 456B/ZF 1234\"}";
}

std::string snapshot(const std::string& exported_at, const std::vector<std::string>& rows) {
    std::string body = "{\"table\": \"logistics_department.fuel_records\", \"exported_at\": \"" +
                       exported_at + "\", \"rows\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) body += (i ? ", " : "") + rows[i];
    return body + "]}";
}

}  // namespace

TEST_CASE("Rows only the database can read are stored as fuel.normalise reads them",
          "[integration]") {
    // The premise: the fast path really declines these and reads the others.
    REQUIRE_FALSE(ff::parse::normalise_row_json(declined_row(1, 1)));
    REQUIRE(ff::parse::normalise_row_json(plain_row(2, 1)));

    EngineFixture fx;
    std::vector<std::string> rows;
    for (long long id = 1; id <= 20; ++id)
        rows.push_back(id % 2 ? declined_row(id, 1) : plain_row(id, 1));

    SECTION("a first load") {
        fx.put("latest.json", snapshot("2026-06-02T00:00:00Z", rows));
        auto r = fx.snapshot();
        REQUIRE(r.refused == Refusal::none);
        CHECK(r.counts.inserted == 20);
        CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE litres = 100 AND "
                             "amount = 18050.00 AND 'derived_amount' = ANY (flags)") == "10");
        fx.expect_normalised();

        // A reconcile where declined and plain rows change, and one declined row is new.
        rows[0] = declined_row(1, 3);
        rows[1] = plain_row(2, 3);
        rows.push_back(declined_row(21, 3));
        fx.put("latest.json", snapshot("2026-06-04T00:00:00Z", rows));
        r = fx.snapshot();
        REQUIRE(r.refused == Refusal::none);
        CHECK(r.counts.inserted == 1);
        CHECK(r.counts.updated == 2);
        CHECK(r.counts.unchanged == 18);
        fx.expect_normalised();
    }
    SECTION("a change file") {
        fx.put("latest.json", snapshot("2026-06-02T00:00:00Z", rows));
        REQUIRE(fx.snapshot().refused == Refusal::none);
        fx.put(
            "changes/2026-06-03T00:00:00Z.json",
            "{\"table\": \"logistics_department.fuel_records\", \"changes\": ["
            "{\"op\": \"update\", \"id\": 2, \"changed_at\": \"2026-06-03T00:00:00Z\", \"row\": " +
                declined_row(2, 3) +
                "}, {\"op\": \"insert\", \"id\": 30, \"changed_at\": \"2026-06-03T00:00:00Z\", "
                "\"row\": " +
                declined_row(30, 3) + "}]}");
        auto c = fx.changes();
        CHECK(c.counts.updated == 1);
        CHECK(c.counts.inserted == 1);
        CHECK(fx.pg().scalar("SELECT litres::text FROM fuel.records WHERE id = 30") == "100");
        fx.expect_normalised();
    }
}

TEST_CASE("A large first load leaves fuel.records with exactly the indexes it had",
          "[integration]") {
    EngineFixture fx;
    const std::string indexes_sql =
        "SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes "
        "WHERE schemaname = 'fuel' AND tablename = 'records'";
    const std::string before = fx.pg().scalar(indexes_sql);
    ExportGenerator gen(21);
    std::vector<GenRow> rows;
    for (long long id = 1; id <= 12000; ++id) rows.push_back(gen.row(id, kBaseTime + id));
    fx.put("latest.json", gen.snapshot_object(rows, kBaseTime + 86400));
    auto r = fx.snapshot();
    REQUIRE(r.refused == Refusal::none);
    CHECK(r.counts.inserted == 12000);
    CHECK(fx.pg().scalar(indexes_sql) == before);
    // The rebuilt indexes hold every live row: an index scan counts what a table scan counts.
    const std::string count_sql =
        "SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL AND fill_date IS NOT NULL";
    const std::string by_table = fx.pg().scalar(count_sql);
    fx.pg().exec("SET enable_seqscan = off");
    std::string plan;
    for (const auto& line : fx.pg().query("EXPLAIN " + count_sql)) plan += line[0].value_or("");
    INFO(plan);
    CHECK(plan.find("records_live_") != std::string::npos);
    CHECK(fx.pg().scalar(count_sql) == by_table);
    CHECK(std::stoll(by_table) > 10000);
    fx.expect_normalised();
}
