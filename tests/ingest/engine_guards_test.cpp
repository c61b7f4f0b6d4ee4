// The guards and the file-level rules: truncated, empty, older and mass-delete snapshots;
// quarantined, bad-row, renamed and re-uploaded change files. Each does what the contract says and
// nothing else in the table changes.
#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using namespace fftest;
using ff::ingest::Refusal;

namespace {

std::string table_fingerprint(PgSession& pg) {
    return pg.scalar(
        "SELECT coalesce(string_agg(id || ':' || xmin::text || ':' || (deleted_at IS NULL), ',' "
        "ORDER BY id), '') FROM fuel.records");
}

struct Seeded {
    Scenario s;
    ReferenceModel model;
};

// Snapshot 1 applied through the fixture, the model in step.
Seeded seed(EngineFixture& fx) {
    Seeded d{make_scenario(5), {}};
    fx.put("latest.json", d.s.snap1_body);
    auto r = fx.snapshot();
    REQUIRE(r.refused == Refusal::none);
    d.model.apply_snapshot(d.s.snap1, d.s.e1);
    return d;
}

}  // namespace

TEST_CASE("A truncated snapshot is rejected whole and the table is unchanged", "[integration]") {
    EngineFixture fx;
    auto d = seed(fx);
    const std::string before = table_fingerprint(fx.pg());
    ExportGenerator gen(1);
    const std::string body = gen.snapshot_object(d.s.snap2, d.s.e2);
    fx.put("latest.json", body.substr(0, body.size() / 2));
    auto r = fx.snapshot();
    REQUIRE(r.file_error);
    CHECK(table_fingerprint(fx.pg()) == before);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.rejects WHERE kind = 'file'") == "1");

    // A row_count that does not match is a truncation too.
    fx.put("latest.json", gen.snapshot_object(d.s.snap2, d.s.e2, 5000));
    CHECK(fx.snapshot().file_error);
    CHECK(table_fingerprint(fx.pg()) == before);
    fx.expect_state(d.model);
}

TEST_CASE("An empty snapshot is refused while live rows exist", "[integration]") {
    EngineFixture fx;
    auto d = seed(fx);
    const std::string before = table_fingerprint(fx.pg());
    ExportGenerator gen(2);
    fx.put("latest.json", gen.snapshot_object({}, d.s.e2));
    auto dry = fx.snapshot(false);
    CHECK(dry.refused == Refusal::empty);
    auto r = fx.snapshot();
    CHECK(r.refused == Refusal::empty);
    CHECK(table_fingerprint(fx.pg()) == before);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.rejects WHERE kind = 'snapshot_refused'") ==
          "1");
    CHECK(fx.pg().scalar(
              "SELECT last_error IS NOT NULL FROM fuel.ingest_state WHERE stream = 'snapshot'") ==
          "t");
}

TEST_CASE("A snapshot missing half the rows is refused, and applied with force", "[integration]") {
    EngineFixture fx;
    auto d = seed(fx);
    const std::string before = table_fingerprint(fx.pg());
    std::vector<GenRow> half(d.s.snap1.begin(), d.s.snap1.begin() + d.s.snap1.size() / 2);
    ExportGenerator gen(3);
    fx.put("latest.json", gen.snapshot_object(half, d.s.e2));
    auto refused = fx.snapshot();
    CHECK(refused.refused == Refusal::mass_delete);
    CHECK(table_fingerprint(fx.pg()) == before);

    auto forced = fx.snapshot(true, true);
    CHECK(forced.refused == Refusal::none);
    CHECK(forced.forced);
    auto want = d.model.apply_snapshot(half, d.s.e2, true);
    CHECK(forced.counts.soft_deleted == want.soft_deleted);
    CHECK(forced.counts.soft_deleted > 20);
    fx.expect_state(d.model);
}

TEST_CASE("A snapshot older than the last applied one is refused, the same one is allowed",
          "[integration]") {
    EngineFixture fx;
    auto d = seed(fx);
    ExportGenerator gen(4);
    fx.put("latest.json", gen.snapshot_object(d.s.snap1, d.s.e1 - 60));
    CHECK(fx.snapshot().refused == Refusal::older_snapshot);
    fx.put("latest.json", gen.snapshot_object(d.s.snap1, d.s.e1));
    auto same = fx.snapshot();
    CHECK(same.refused == Refusal::none);
    CHECK(same.counts.written() == 0);
}

TEST_CASE(
    "A change file that is not JSON is quarantined, the watermark moves past it, the others apply",
    "[integration]") {
    EngineFixture fx;
    auto d = seed(fx);
    fx.put(d.s.files[0].key, d.s.files[0].body);
    fx.put("changes/2026-06-02T00:07:00Z.json", "<html>502 Bad Gateway</html>");
    fx.put("changes/2026-06-02T00:08:00Z.json", "");
    fx.put("changes/2026-06-02T00:09:00Z.txt", "{}");
    fx.put(d.s.files[1].key, d.s.files[1].body);
    auto r = fx.changes();
    CHECK(r.counts.files_applied == 2);
    CHECK(r.counts.files_quarantined == 3);
    d.model.apply_changes(d.s.files[0].changes, d.s.files[0].file_time);
    d.model.apply_changes(d.s.files[1].changes, d.s.files[1].file_time);
    fx.expect_state(d.model);
    CHECK(fx.pg().scalar("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'") ==
          "fuel_records/" + d.s.files[1].key);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'quarantined'") ==
          "3");

    // Not retried while its ETag is the same; retried once it changes.
    CHECK(fx.changes().counts.files_quarantined == 0);
    std::vector<GenChange> fix{
        {"insert", 900, d.s.e1 + 420, ExportGenerator(9).row(900, d.s.e1 + 420)}};
    fx.put("changes/2026-06-02T00:07:00Z.json", ExportGenerator(9).change_file(fix));
    auto retried = fx.changes();
    CHECK(retried.counts.files_applied == 1);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records WHERE id = 900") == "1");
}

TEST_CASE("A change file with one bad row rejects only that row", "[integration]") {
    EngineFixture fx;
    auto d = seed(fx);
    ExportGenerator gen(11);
    auto good = gen.row(801, d.s.e1 + 60);
    std::string body = "{\"changes\": [{\"op\": \"insert\", \"id\": 801, \"row\": " + good.json +
                       "}, {\"op\": \"insert\", \"id\": \"abc\", \"row\": {\"id\": \"abc\"}}, "
                       "{\"op\": \"frobnicate\", \"id\": 802, \"row\": {\"id\": 802}}]}";
    fx.put("changes/2026-06-02T01:00:00Z.json", body);
    auto r = fx.changes();
    CHECK(r.counts.files_applied == 1);
    CHECK(r.counts.rows_read == 3);
    CHECK(r.counts.rejected == 2);
    CHECK(r.counts.inserted == 1);
    CHECK(fx.pg().scalar(
              "SELECT count(*) FROM fuel.rejects WHERE kind = 'row' AND etag IS NOT NULL") == "2");
    CHECK(fx.pg().scalar("SELECT raw = $1::jsonb FROM fuel.records WHERE id = 801", {good.json}) ==
          "t");
}

TEST_CASE(
    "An applied change file uploaded again with other content is reported once, not reapplied",
    "[integration]") {
    EngineFixture fx;
    auto d = seed(fx);
    fx.put(d.s.files[1].key, d.s.files[1].body);
    REQUIRE(fx.changes().counts.files_applied == 1);
    const std::string before = table_fingerprint(fx.pg());
    fx.put(d.s.files[1].key, d.s.files[2].body);
    auto r = fx.changes();
    CHECK(r.counts.files_applied == 0);
    CHECK(r.warnings.size() == 1);
    CHECK(fx.changes().warnings.empty());
    CHECK(table_fingerprint(fx.pg()) == before);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.rejects WHERE kind = 'etag_changed'") == "1");
}
