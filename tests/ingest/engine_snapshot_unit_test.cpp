// The snapshot engine's own decisions on the in-memory storage seam, without services: which rows
// ship, which stored rows are staged as gone, an unchanged ETag, what a guard's refusal and a
// rejected file leave behind, and the indexes of a first load. The guards themselves (how many
// soft deletes are too many, an older export) are fuel.apply_snapshot's, tested on PostgreSQL
// (engine_guards_test.cpp); here the storage answers with the refusal a test asks for.
#include <algorithm>
#include <catch2/catch.hpp>

#include "ingest/ingest.hpp"
#include "support/memory_storage.hpp"

using namespace fftest;
namespace ingest = ff::ingest;

namespace {

const std::string kPrefix = "fuel_records/";
const std::string kLatest = kPrefix + "latest.json";

std::string row(long long id, int litres, bool deleted = false) {
    return R"({"id": )" + std::to_string(id) +
           R"(, "updated_at": "2026-06-01T00:00:00Z", "litres": )" + std::to_string(litres) +
           (deleted ? R"(, "deleted_at": "2026-06-01T00:00:00Z")" : "") + "}";
}

std::string snapshot(const std::vector<std::string>& rows) {
    std::string out = R"({"exported_at": "2026-06-01T12:00:00Z", "rows": [)";
    for (std::size_t i = 0; i < rows.size(); ++i) out += (i ? ", " : "") + rows[i];
    return out + "]}";
}

struct Engine {
    MemoryStorage storage;
    MemoryObjectStore store;
    ingest::IngestOptions options;

    Engine() {
        options.prefix = kPrefix;
        options.dry_run = false;
        options.batch_rows = 2;  // several batches from a few rows
    }
    ingest::SnapshotResult reconcile() {
        return run_memory(ingest::run_snapshot(storage, store, options));
    }
    // Rows 1..5 stored by a first load.
    void loaded() {
        store.put(kLatest, snapshot({row(1, 10), row(2, 20), row(3, 30), row(4, 40), row(5, 50)}));
        reconcile();
    }
    std::vector<long long> shipped() const {
        auto ids = storage.state.shipped_ids;
        std::sort(ids.begin(), ids.end());
        return ids;
    }
};

}  // namespace

TEST_CASE("A first load ships every row without asking what is stored", "[ingest][unit]") {
    Engine e;
    e.loaded();
    CHECK(e.shipped() == std::vector<long long>{1, 2, 3, 4, 5});
    CHECK(e.storage.state.records.size() == 5);
    CHECK(e.storage.state.snapshot_etag.has_value());
}

TEST_CASE("A reconcile ships only the rows whose content or liveness changed", "[ingest][unit]") {
    Engine e;
    e.loaded();
    e.store.put(kLatest,
                snapshot({row(1, 10), row(2, 21), row(3, 30), row(4, 40, true), row(5, 50)}));

    const auto result = e.reconcile();

    CHECK(e.shipped() == std::vector<long long>{2, 4});
    CHECK(e.storage.state.seen_ids.size() == 5);  // every row is seen, shipped or not
    CHECK(result.counts.rows_read == 5);
    CHECK(result.counts.updated == 2);
    CHECK_FALSE(e.storage.state.records.at(4).live);
}

TEST_CASE("A row soft-deleted for being absent ships again when it reappears unchanged",
          "[ingest][unit]") {
    Engine e;
    e.loaded();
    e.store.put(kLatest, snapshot({row(1, 10), row(2, 20), row(3, 30), row(4, 40)}));
    e.reconcile();
    REQUIRE_FALSE(e.storage.state.records.at(5).live);

    e.store.put(kLatest, snapshot({row(1, 10), row(2, 20), row(3, 30), row(4, 40), row(5, 50)}));
    e.reconcile();

    CHECK(e.shipped() == std::vector<long long>{5});  // same content, other liveness
    CHECK(e.storage.state.records.at(5).live);
}

TEST_CASE(
    "Stored rows a snapshot with ascending ids lacks are staged as gone, up to the last id "
    "and past it",
    "[ingest][unit]") {
    Engine e;
    e.loaded();
    e.store.put(kLatest, snapshot({row(1, 10), row(3, 30), row(4, 40)}));
    const auto result = e.reconcile();
    auto gone = e.storage.state.gone_ids;
    std::sort(gone.begin(), gone.end());
    CHECK(gone == std::vector<long long>{2, 5});
    CHECK(e.shipped().empty());
    CHECK(result.counts.soft_deleted == 2);
}

TEST_CASE("A snapshot whose ids do not ascend leaves the missing rows to the database",
          "[ingest][unit]") {
    Engine e;
    e.loaded();
    e.store.put(kLatest, snapshot({row(4, 40), row(1, 10), row(3, 30)}));
    const auto result = e.reconcile();
    CHECK(e.storage.state.gone_ids.empty());
    CHECK(result.counts.soft_deleted == 2);  // the storage found them from the seen ids
}

TEST_CASE("An unchanged latest.json (same ETag) is not read again", "[ingest][unit]") {
    Engine e;
    e.loaded();
    const int gets = e.store.gets;
    const auto result = e.reconcile();
    CHECK(result.not_modified);
    CHECK(result.counts.skipped_etag == 1);
    CHECK(e.store.gets == gets + 1);  // asked, answered 304
    CHECK(std::count(e.storage.statements.begin(), e.storage.statements.end(),
                     "apply_snapshot") == 1);  // the first load's only
}

TEST_CASE("A refused snapshot writes nothing, records why, and is tried again next time",
          "[ingest][unit]") {
    Engine e;
    e.loaded();
    const auto etag = e.storage.state.snapshot_etag;
    e.store.put(kLatest, snapshot({row(1, 11)}));
    e.storage.refuse_snapshot = "mass_delete";

    const auto result = e.reconcile();

    CHECK(result.refused == ingest::Refusal::mass_delete);
    CHECK(result.counts.written() == 0);
    CHECK(e.storage.state.records.at(1).live);
    CHECK(e.storage.state.records.at(5).live);
    CHECK(e.storage.state.snapshot_etag == etag);  // not recorded: the next cycle reads it again
    REQUIRE(e.storage.state.snapshot_error.has_value());
    CHECK(e.storage.state.snapshot_error->find("mass_delete") != std::string::npos);
    REQUIRE_FALSE(e.storage.state.rejects.empty());
    CHECK(e.storage.state.rejects.back().kind == "snapshot_refused");
    CHECK_FALSE(e.storage.in_transaction());
}

TEST_CASE("A refused snapshot applied with --force is applied and says it was forced",
          "[ingest][unit]") {
    Engine e;
    e.loaded();
    e.store.put(kLatest, snapshot({row(1, 11)}));
    e.storage.refuse_snapshot = "mass_delete";
    e.options.force = true;

    const auto result = e.reconcile();

    CHECK(result.forced);
    CHECK(result.refused == ingest::Refusal::none);
    CHECK(result.counts.soft_deleted == 4);
    CHECK_FALSE(e.storage.state.records.at(5).live);
    CHECK(e.storage.state.snapshot_etag != std::nullopt);
}

TEST_CASE("A truncated latest.json is rejected whole: nothing applies and the reason is recorded",
          "[ingest][unit]") {
    Engine e;
    e.loaded();
    const auto before = e.storage.state.records.at(1).hash;
    std::string cut = snapshot({row(1, 11), row(2, 22), row(3, 33)});
    cut.resize(cut.size() / 2);
    e.store.put(kLatest, cut);

    const auto result = e.reconcile();

    REQUIRE(result.file_error.has_value());
    CHECK(e.storage.state.records.at(1).hash == before);
    CHECK(e.storage.state.records.size() == 5);
    CHECK(std::count(e.storage.statements.begin(), e.storage.statements.end(),
                     "apply_snapshot") == 1);  // the first load's only
    CHECK(e.storage.state.rejects.back().kind == "file");
}

TEST_CASE("A dry run of the snapshot reports the counts and writes nothing", "[ingest][unit]") {
    Engine e;
    e.loaded();
    const auto before = e.storage.state.records.at(2).hash;
    e.store.put(kLatest, snapshot({row(1, 10), row(2, 21), row(3, 30), row(4, 40), row(5, 50)}));
    e.options.dry_run = true;

    const auto result = e.reconcile();

    CHECK(result.counts.updated == 1);
    CHECK(e.storage.state.records.at(2).hash == before);
    CHECK(e.storage.statements.back() == "rollback");
}

TEST_CASE("A first load that dropped the indexes puts them back when it does not commit",
          "[ingest][unit]") {
    Engine e;
    e.storage.first_load = ingest::FirstLoad::dropped;
    e.storage.refuse_snapshot = "empty";
    e.store.put(kLatest, snapshot({}));
    const auto refused = e.reconcile();
    CHECK(refused.refused == ingest::Refusal::empty);
    CHECK(e.storage.indexes_restored == 1);

    e.storage.refuse_snapshot.clear();
    e.store.chunk = 8;
    e.store.put(kLatest, snapshot({row(1, 10), row(2, 20)}));
    e.store.fail_get = kLatest;
    CHECK_THROWS(e.reconcile());
    CHECK(e.storage.indexes_restored == 2);
    CHECK(e.storage.state.records.empty());

    e.store.fail_get.reset();
    e.reconcile();
    CHECK(e.storage.indexes_restored == 2);  // committed: the load built them itself
    CHECK(e.storage.state.records.size() == 2);
}
