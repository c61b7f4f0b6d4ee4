// Contract v1.1, section 5, one rule per case: inside a file, as
// across files, a change is held against the version stored by then; an equal version with equal
// content changes nothing whatever the liveness marker says; a delete always carries its own
// version. Each case is checked literally and against the reference model.
#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using namespace fftest;

namespace {

Ts at(const char* text) {
    const auto t = parse_ts(text);
    REQUIRE(t);
    return *t;
}

// The stored row's version and change-batch time as "<version>|<change_batch_at>" (UTC text).
std::string marks(EngineFixture& fx, long long id) {
    return fx.pg().scalar(
        "SELECT to_char(version AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '|' || "
        "coalesce(to_char(change_batch_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS'), '') "
        "FROM fuel.records WHERE id = $1",
        {std::to_string(id)});
}

std::string raw_is(EngineFixture& fx, long long id, const std::string& json) {
    return fx.pg().scalar("SELECT (raw = $2::jsonb)::text FROM fuel.records WHERE id = $1",
                          {std::to_string(id), json});
}

// A snapshot of ids 1..20 (live, versions an hour before `exported_at`) plus `extra`, applied
// through the engine and the model; returns ids 1..20's rows, for later snapshots.
std::vector<GenRow> load_snapshot(EngineFixture& fx, ReferenceModel& model, ExportGenerator& gen,
                                  Ts exported_at, std::vector<GenRow> extra = {}) {
    std::vector<GenRow> rows;
    for (long long id = 1; id <= 20; ++id) rows.push_back(gen.row(id, exported_at - 3600));
    const std::vector<GenRow> base = rows;
    for (auto& row : extra) rows.push_back(std::move(row));
    fx.put("latest.json", gen.snapshot_object(rows, exported_at));
    auto r = fx.snapshot();
    REQUIRE(r.refused == ff::ingest::Refusal::none);
    model.apply_snapshot(rows, exported_at);
    return base;
}

void expect_model(EngineFixture& fx, const ReferenceModel& model) {
    fx.expect_state(model);
    fx.expect_versions(model, false);
}

}  // namespace

TEST_CASE("In one file, a change older than one before it is stale, not the last word",
          "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(1301);
    ReferenceModel model;
    const Ts newest = at("2026-06-10T20:00:51Z");
    const std::vector<GenChange> file{
        {"insert", 1923, newest, gen.row(1923, newest)},
        {"update", 1923, at("2026-06-10T19:12:00Z"), gen.row(1923, at("2026-06-10T19:12:00Z"))},
        {"upsert", 1923, at("2026-06-09T08:00:00Z"), gen.row(1923, at("2026-06-09T08:00:00Z"))}};
    fx.put("changes/2026-06-10T20:15:00Z.json", gen.change_file(file));
    auto r = fx.changes();
    CHECK(r.counts.inserted == 1);
    CHECK(r.counts.stale == 2);
    CHECK(r.counts.duplicates == 2);
    CHECK(raw_is(fx, 1923, file[0].row->json) == "true");
    CHECK(marks(fx, 1923) == "2026-06-10T20:00:51|2026-06-10T20:00:51");
    model.apply_changes(file, newest);
    expect_model(fx, model);
}

TEST_CASE("In one file, an update older than a delete before it leaves the row deleted",
          "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(1302);
    ReferenceModel model;
    const Ts exported = at("2026-06-10T12:00:00Z");
    load_snapshot(fx, model, gen, exported);
    const Ts deleted = at("2026-06-10T20:21:00Z"), older = at("2026-06-10T16:14:00Z");
    // Id 17 is stored (version 11:00); id 1917 was never seen.
    const std::vector<GenChange> file{{"delete", 17, deleted, std::nullopt},
                                      {"update", 17, older, gen.row(17, older)},
                                      {"delete", 1917, deleted, std::nullopt},
                                      {"update", 1917, older, gen.row(1917, older)}};
    fx.put("changes/2026-06-10T20:30:00Z.json", gen.change_file(file));
    auto r = fx.changes();
    CHECK(r.counts.soft_deleted == 2);
    CHECK(r.counts.stale == 2);
    CHECK(r.counts.written() == 2);
    for (long long id : {17, 1917}) {
        INFO("id " << id);
        CHECK(fx.pg().scalar("SELECT to_char(deleted_at AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || "
                             "deleted_reason FROM fuel.records WHERE id = $1",
                             {std::to_string(id)}) == "20:21 delete_op");
        CHECK(marks(fx, id) == "2026-06-10T20:21:00|2026-06-10T20:21:00");
    }
    CHECK(fx.pg().scalar("SELECT raw = '{}'::jsonb FROM fuel.records WHERE id = 1917") == "t");
    model.apply_changes(file, deleted);
    expect_model(fx, model);
}

TEST_CASE("An upsert then a delete of an id never seen keeps the upsert's fields, deleted",
          "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(1303);
    ReferenceModel model;
    const Ts t = at("2026-06-10T09:00:00Z");
    const std::vector<GenChange> file{{"upsert", 4242, t, gen.row(4242, t)},
                                      {"delete", 4242, t + 60, std::nullopt}};
    fx.put("changes/2026-06-10T09:05:00Z.json", gen.change_file(file));
    auto r = fx.changes();
    CHECK(r.counts.inserted == 1);
    CHECK(r.counts.soft_deleted == 1);
    CHECK(raw_is(fx, 4242, file[0].row->json) == "true");
    CHECK(fx.pg().scalar("SELECT deleted_reason FROM fuel.records WHERE id = 4242") == "delete_op");
    CHECK(marks(fx, 4242) == "2026-06-10T09:01:00|2026-06-10T09:01:00");
    model.apply_changes(file, t);
    expect_model(fx, model);
}

TEST_CASE(
    "A late copy of the change that brought a row does not bring it back after a snapshot found "
    "it gone",
    "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(1304);
    ReferenceModel model;
    const Ts e1 = at("2026-06-10T10:00:00Z");
    std::vector<GenRow> rows = load_snapshot(fx, model, gen, e1);
    const Ts t = at("2026-06-10T10:20:00Z");
    const std::vector<GenChange> first{{"insert", 300, t, gen.row(300, t)}};
    const std::string body = gen.change_file(first);
    fx.put("changes/2026-06-10T10:20:00Z.json", body);
    REQUIRE(fx.changes().counts.inserted == 1);
    model.apply_changes(first, t);

    // The next export no longer has it: hard-deleted in the source after 10:20.
    const Ts e2 = at("2026-06-10T11:00:00Z");
    fx.put("latest.json", gen.snapshot_object(rows, e2));
    auto snap = fx.snapshot();
    REQUIRE(snap.refused == ff::ingest::Refusal::none);
    CHECK(snap.counts.soft_deleted == 1);
    model.apply_snapshot(rows, e2);
    REQUIRE(fx.pg().scalar("SELECT deleted_reason FROM fuel.records WHERE id = 300") ==
            "missing_from_snapshot");

    // The exporter's retry of the same batch lands under a later key, after the snapshot.
    fx.put("changes/2026-06-10T11:05:00Z.json", body);
    auto late = fx.changes();
    CHECK(late.counts.files_applied == 1);
    CHECK(late.counts.unchanged == 1);
    CHECK(late.counts.written() == 0);
    CHECK(fx.pg().scalar("SELECT deleted_reason FROM fuel.records WHERE id = 300") ==
          "missing_from_snapshot");
    CHECK(model.apply_changes(first, t).unchanged == 1);
    expect_model(fx, model);
}

TEST_CASE(
    "A delete of a row the source had already deleted moves its version, so an older update "
    "arriving later is stale",
    "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(1305);
    ReferenceModel model;
    const Ts e1 = at("2026-06-10T10:00:00Z");
    const Ts source_deleted = at("2026-06-10T09:00:00Z");
    load_snapshot(fx, model, gen, e1, {gen.row(77, source_deleted, source_deleted)});
    REQUIRE(fx.pg().scalar("SELECT deleted_reason FROM fuel.records WHERE id = 77") == "source");

    const Ts deleted = at("2026-06-10T10:30:00Z");
    const std::vector<GenChange> del{{"delete", 77, deleted, std::nullopt}};
    fx.put("changes/2026-06-10T10:30:00Z.json", gen.change_file(del));
    auto r = fx.changes();
    CHECK(r.counts.updated == 1);  // written: the version moved (the marker stays the source's)
    CHECK(marks(fx, 77) == "2026-06-10T10:30:00|2026-06-10T10:30:00");
    model.apply_changes(del, deleted);

    // An update from 10:15 (the row restored in the source, before the delete) arrives in the
    // next file.
    const Ts restored = at("2026-06-10T10:15:00Z");
    const std::vector<GenChange> older{{"update", 77, restored, gen.row(77, restored)}};
    fx.put("changes/2026-06-10T10:35:00Z.json", gen.change_file(older));
    auto late = fx.changes();
    CHECK(late.counts.files_applied == 1);
    CHECK(late.counts.stale == 1);
    CHECK(fx.pg().scalar("SELECT deleted_at IS NOT NULL FROM fuel.records WHERE id = 77") == "t");
    CHECK(marks(fx, 77) == "2026-06-10T10:30:00|2026-06-10T10:30:00");
    model.apply_changes(older, restored);
    expect_model(fx, model);
}

TEST_CASE(
    "A delete of a row the source had already deleted moves its change-batch time, so an older "
    "snapshot is stale against it",
    "[integration]") {
    EngineFixture fx;
    ExportGenerator gen(1306);
    ReferenceModel model;
    const Ts e1 = at("2026-06-10T10:00:00Z");
    const Ts source_deleted = at("2026-06-10T09:00:00Z");
    std::vector<GenRow> rows =
        load_snapshot(fx, model, gen, e1, {gen.row(77, source_deleted, source_deleted)});
    const Ts deleted = at("2026-06-10T11:30:00Z");
    const std::vector<GenChange> del{{"delete", 77, deleted, std::nullopt}};
    fx.put("changes/2026-06-10T11:30:00Z.json", gen.change_file(del));
    REQUIRE(fx.changes().counts.files_applied == 1);
    model.apply_changes(del, deleted);

    // The 11:00 export, read after the delete, still shows the row restored at 10:30.
    const Ts e2 = at("2026-06-10T11:00:00Z");
    rows.push_back(gen.row(77, at("2026-06-10T10:30:00Z")));
    fx.put("latest.json", gen.snapshot_object(rows, e2));
    auto snap = fx.snapshot();
    REQUIRE(snap.refused == ff::ingest::Refusal::none);
    CHECK(snap.counts.undeleted == 0);
    CHECK(fx.pg().scalar("SELECT deleted_at IS NOT NULL FROM fuel.records WHERE id = 77") == "t");
    CHECK(marks(fx, 77) == "2026-06-10T11:30:00|2026-06-10T11:30:00");
    model.apply_snapshot(rows, e2);
    expect_model(fx, model);
}
