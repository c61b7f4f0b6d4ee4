// The whole history (snapshot, change files, later snapshot) against the reference model, over a
// local directory and over the real S3 server; then everything again, which must change nothing.
#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using namespace fftest;

namespace {

void check_counts(const ff::ingest::Counts& got, const ModelCounts& want) {
    CHECK(got.inserted == want.inserted);
    CHECK(got.updated == want.updated);
    CHECK(got.soft_deleted == want.soft_deleted);
    CHECK(got.undeleted == want.undeleted);
    CHECK(got.unchanged == want.unchanged);
    CHECK(got.stale == want.stale);
    CHECK(got.duplicates == want.duplicates);
}

ModelCounts add(ModelCounts a, const ModelCounts& b) {
    a.inserted += b.inserted;
    a.updated += b.updated;
    a.soft_deleted += b.soft_deleted;
    a.undeleted += b.undeleted;
    a.unchanged += b.unchanged;
    a.stale += b.stale;
    a.duplicates += b.duplicates;
    return a;
}

std::string row_versions(PgSession& pg) {
    std::string out;
    for (const auto& r : pg.query("SELECT id, xmin::text FROM fuel.records ORDER BY id")) {
        out += *r[0] + ":" + *r[1] + " ";
    }
    return out;
}

void run_history(StoreKind kind) {
    EngineFixture fx(kind);
    const Scenario s = make_scenario(42);
    ReferenceModel model;

    fx.put("latest.json", s.snap1_body);
    auto first = fx.snapshot();
    REQUIRE(first.refused == ff::ingest::Refusal::none);
    REQUIRE_FALSE(first.file_error);
    CHECK(first.counts.rows_read == static_cast<long long>(s.snap1.size()));
    check_counts(first.counts, model.apply_snapshot(s.snap1, s.e1));
    CHECK(first.counts.duplicates == 1);
    CHECK(first.counts.flagged > 0);  // messy values produce quality flags
    fx.expect_state(model);
    fx.expect_versions(model, false);

    ModelCounts want;
    for (const auto& f : s.files) {
        fx.put(f.key, f.body);
        want = add(want, model.apply_changes(f.changes, f.file_time));
    }
    auto changes = fx.changes();
    CHECK(changes.counts.files_applied == 4);
    CHECK(changes.counts.files_quarantined == 0);
    check_counts(changes.counts, want);
    CHECK(changes.counts.stale >= 2);  // the old update of id 20, the older insert of tombstone 500
    fx.expect_state(model);
    fx.expect_versions(model, false);

    fx.put("latest.json", s.snap2_body);
    auto second = fx.snapshot();
    REQUIRE(second.refused == ff::ingest::Refusal::none);
    check_counts(second.counts, model.apply_snapshot(s.snap2, s.e2));
    fx.expect_state(model);
    fx.expect_versions(model, false);
    // Changed by f3 after snapshot 2's exported_at: neither overwritten nor soft-deleted.
    CHECK(fx.pg().scalar("SELECT deleted_at IS NOT NULL FROM fuel.records WHERE id = 61") == "t");
    CHECK(fx.pg().scalar("SELECT deleted_at IS NULL FROM fuel.records WHERE id = 71") == "t");
    CHECK(fx.pg().scalar("SELECT deleted_reason FROM fuel.records WHERE id = 30") ==
          "missing_from_snapshot");
    CHECK(fx.pg().scalar("SELECT raw = '{}'::jsonb FROM fuel.records WHERE id = 500") == "t");

    // Everything again: nothing new to apply, and the same snapshot content under a new ETag is
    // read and compared but writes no row.
    const std::string before = row_versions(fx.pg());
    auto again = fx.changes();
    CHECK(again.counts.files_applied == 0);
    CHECK(again.counts.written() == 0);
    auto same = fx.snapshot();
    CHECK(same.counts.skipped_etag == 1);
    fx.put("latest.json", s.snap2_body + " ");  // same rows, new ETag
    auto reread = fx.snapshot();
    CHECK(reread.counts.skipped_etag == 0);
    CHECK(reread.counts.rows_read == static_cast<long long>(s.snap2.size()));
    CHECK(reread.counts.written() == 0);
    CHECK(row_versions(fx.pg()) == before);
    fx.expect_state(model);
    fx.expect_versions(model, false);
}

}  // namespace

TEST_CASE("A snapshot, change files and a later snapshot leave exactly the state the rules imply",
          "[integration]") {
    run_history(StoreKind::local);
}

TEST_CASE("The same history read from the S3 server gives the same exact state", "[integration]") {
    run_history(StoreKind::s3);
}

TEST_CASE("A dry run writes nothing and reports the counts the apply then reports",
          "[integration]") {
    EngineFixture fx;
    const Scenario s = make_scenario(7);
    fx.put("latest.json", s.snap1_body);
    auto dry = fx.snapshot(false);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.records") == "0");
    CHECK(fx.pg().scalar("SELECT count(snapshot_etag) FROM fuel.ingest_state") == "0");
    auto applied = fx.snapshot(true);
    CHECK(ff::ingest::to_json(dry.counts) == ff::ingest::to_json(applied.counts));
    CHECK(applied.counts.inserted > 0);

    for (const auto& f : s.files) fx.put(f.key, f.body);
    const std::string before = row_versions(fx.pg());
    auto dry_changes = fx.changes(false);
    CHECK(row_versions(fx.pg()) == before);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files") == "0");
    CHECK(fx.pg().scalar("SELECT count(watermark) FROM fuel.ingest_state") == "0");
    auto applied_changes = fx.changes(true);
    CHECK(dry_changes.counts.files_applied == 4);
    CHECK(ff::ingest::to_json(dry_changes.counts) == ff::ingest::to_json(applied_changes.counts));
}

TEST_CASE("Late change files delivered out of order are each applied once and converge",
          "[integration]") {
    const Scenario s = make_scenario(99);
    ReferenceModel in_order;
    in_order.apply_snapshot(s.snap1, s.e1);
    for (const auto& f : s.files) in_order.apply_changes(f.changes, f.file_time);

    EngineFixture fx;
    ReferenceModel delivered;
    fx.put("latest.json", s.snap1_body);
    fx.snapshot();
    delivered.apply_snapshot(s.snap1, s.e1);
    // f0 first (it opens the lookback window), then f3, then the late f1 and f2 whose keys sort
    // before the watermark.
    for (int index : {0, 3, 1, 2}) {
        const auto& f = s.files[index];
        fx.put(f.key, f.body);
        auto r = fx.changes();
        CHECK(r.counts.files_applied == 1);
        delivered.apply_changes(f.changes, f.file_time);
        auto again = fx.changes();
        CHECK(again.counts.files_applied == 0);
    }
    fx.expect_state(delivered);
    CHECK(fx.pg().scalar("SELECT count(*) FROM fuel.change_files WHERE status = 'applied'") == "4");
    CHECK(fx.pg().scalar("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'") ==
          "fuel_records/" + s.files[3].key);
    // Liveness converges with in-order delivery (a tombstone may keep '{}' where in-order
    // delivery kept the row's last fields: the contract's rule for a delete of an unseen id).
    for (const auto& [id, want] : in_order.rows()) {
        INFO("id " << id);
        CHECK(delivered.rows().at(id).deleted_at.has_value() == want.deleted_at.has_value());
    }
}
