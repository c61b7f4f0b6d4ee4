// The change-file engine's own decisions on the in-memory storage seam, without services: which
// files apply and in what order, where a poll lists from, late files, strays, quarantine, ETag
// changes, what a failure or a dry run leaves, and the watermark. What the apply does with a
// file's rows is fuel.apply_change_file's, tested on PostgreSQL (engine_order_test.cpp).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>

#include "ingest/ingest.hpp"
#include "support/memory_storage.hpp"

using namespace fftest;
namespace ingest = ff::ingest;

namespace {

const std::string kPrefix = "fuel_records/";

std::string change_key(int minute) {
    char name[64];
    std::snprintf(name, sizeof name, "2026-06-01T%02d:%02d:00Z.json", minute / 60, minute % 60);
    return kPrefix + "changes/" + name;
}

std::string change(long long id) {
    return R"({"op": "insert", "id": )" + std::to_string(id) + R"(, "row": {"id": )" +
           std::to_string(id) + R"(, "updated_at": "2026-06-01T00:00:00Z", "litres": 40}})";
}

std::string change_file(long long id) {
    return R"({"changes": [)" + change(id) + "]}";
}

struct Engine {
    MemoryStorage storage;
    MemoryObjectStore store;
    ingest::IngestOptions options;

    Engine() {
        options.prefix = kPrefix;
        options.dry_run = false;
    }
    ingest::ChangesResult changes(ingest::Listing listing = ingest::Listing::full) {
        options.listing = listing;
        return run_memory(ingest::run_changes(storage, store, options));
    }
    const MemoryStorage::LedgerRow* ledger(const std::string& key) const {
        auto it = storage.state.ledger.find(key);
        return it == storage.state.ledger.end() ? nullptr : &it->second;
    }
    // `n` change files already applied, minutes 0 .. n-1, the watermark at the newest.
    void processed(int n) {
        for (int m = 0; m < n; ++m) storage.put_ledger(change_key(m), "old", "applied");
        storage.state.watermark = change_key(n - 1);
    }
};

}  // namespace

TEST_CASE(
    "New change files apply in key order, each in its own transaction, and the watermark "
    "ends at the newest",
    "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(3), change_file(3));
    e.store.put(change_key(1), change_file(1));
    e.store.put(change_key(2), change_file(2));

    const auto result = e.changes();

    CHECK(result.counts.files_applied == 3);
    CHECK(result.counts.inserted == 3);
    for (int m : {1, 2, 3}) {
        REQUIRE(e.ledger(change_key(m)) != nullptr);
        CHECK(e.ledger(change_key(m))->status == "applied");
    }
    CHECK(e.storage.state.watermark == change_key(3));
    const std::vector<std::string> per_file{"begin", "apply_change_file", "commit"};
    std::vector<std::string> expected;
    for (int i = 0; i < 3; ++i) expected.insert(expected.end(), per_file.begin(), per_file.end());
    CHECK(e.storage.statements == expected);
    CHECK_FALSE(e.storage.in_transaction());
}

TEST_CASE(
    "A poll lists after the 101st newest processed change file and applies a file that "
    "landed among the newest at once",
    "[ingest][unit]") {
    Engine e;
    e.processed(150);
    // Lands late, but sorts among the 100 newest processed files.
    e.store.put(change_key(120) + ".retry.json", change_file(7));

    const auto result = e.changes(ingest::Listing::recent);

    REQUIRE(e.store.listed_after.size() == 1);
    CHECK(e.store.listed_after[0] == change_key(49));  // minutes 50 .. 149 are listed again
    CHECK(result.listing_start == change_key(49));
    CHECK(result.counts.files_applied == 1);
    CHECK(result.late_files == 0);  // found by the poll itself: not late
    CHECK(e.storage.state.watermark == change_key(149));
}

TEST_CASE(
    "A file that lands below where polls list from is applied by the next full listing and "
    "counted late",
    "[ingest][unit]") {
    Engine e;
    e.processed(150);
    const std::string late = change_key(10) + ".late.json";
    e.store.put(late, change_file(8));

    auto recent = e.changes(ingest::Listing::recent);
    CHECK(recent.counts.files_applied == 0);
    CHECK(e.ledger(late) == nullptr);

    auto full = e.changes(ingest::Listing::full);
    CHECK(full.full_listing);
    CHECK(full.counts.files_applied == 1);
    CHECK(full.late_files == 1);
    REQUIRE(full.oldest_late_modified.has_value());
    REQUIRE(e.ledger(late) != nullptr);
    CHECK(e.ledger(late)->status == "applied");
    // A late file never pulls the watermark back.
    CHECK(e.storage.state.watermark == change_key(149));
}

TEST_CASE(
    "An object under changes/ that is not a change file is recorded once and never moves the "
    "watermark or where polls list from",
    "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(1), change_file(1));
    e.store.put(kPrefix + "changes/_SUCCESS", "");
    e.store.put(kPrefix + "changes/zz-manual.txt", "notes");

    const auto first = e.changes();
    CHECK(first.counts.files_applied == 1);
    CHECK(first.counts.files_quarantined == 2);
    CHECK(e.storage.state.watermark == change_key(1));
    CHECK(e.storage.state.rejects.size() == 2);

    // Listed again, and one of them rewritten with other content: nothing new is reported.
    e.store.put(kPrefix + "changes/zz-manual.txt", "other notes");
    const auto second = e.changes();
    CHECK(second.counts.files_quarantined == 0);
    CHECK(e.storage.state.rejects.size() == 2);
    CHECK(e.storage.state.watermark == change_key(1));
    CHECK(run_memory(ingest::recent_listing_start(e.storage, e.options)).empty());
}

TEST_CASE(
    "A change file that is not JSON is quarantined whole and retried only when its ETag "
    "changes",
    "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(1), "<html>not json</html>");

    const auto first = e.changes();
    CHECK(first.counts.files_applied == 0);
    CHECK(first.counts.files_quarantined == 1);
    REQUIRE(e.ledger(change_key(1)) != nullptr);
    CHECK(e.ledger(change_key(1))->status == "quarantined");
    CHECK(e.storage.state.rejects.size() == 1);
    CHECK(e.storage.state.rejects[0].kind == "file");
    // The verdict moves the watermark; nothing of the file was applied.
    CHECK(e.storage.state.watermark == change_key(1));
    CHECK(std::count(e.storage.statements.begin(), e.storage.statements.end(),
                     "apply_change_file") == 0);

    const int gets = e.store.gets;
    const auto again = e.changes();
    CHECK(again.counts.files_quarantined == 0);
    CHECK(e.store.gets == gets);  // same ETag: not even read

    e.store.put(change_key(1), change_file(1));  // fixed at the source: a new ETag
    const auto fixed = e.changes();
    CHECK(fixed.counts.files_applied == 1);
    CHECK(e.ledger(change_key(1))->status == "applied");
}

TEST_CASE(
    "A change file cut off midway is quarantined whole: what was staged before the cut, "
    "row rejects included, is dropped",
    "[ingest][unit]") {
    Engine e;
    e.options.batch_rows = 1;  // each change is sent before the cut is found
    // A change, a change without an id (a row reject), a change, and half of one.
    const std::string body = R"({"changes": [)" + change(1) +
                             R"(, {"op": "insert", "row": {"litres": 3}}, )" + change(3) + ", " +
                             change(4).substr(0, 30);
    e.store.put(change_key(1), body);

    const auto result = e.changes();

    CHECK(result.counts.files_quarantined == 1);
    CHECK(result.counts.rejected == 0);
    REQUIRE(e.storage.state.rejects.size() == 1);  // the file's verdict, not the row's
    CHECK(e.storage.state.rejects[0].kind == "file");
    CHECK(e.storage.state.staged_changes == 0);
    CHECK(e.ledger(change_key(1))->status == "quarantined");
}

TEST_CASE("A change file of 0 bytes is quarantined without being read", "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(1), "");
    const auto result = e.changes();
    CHECK(result.counts.files_quarantined == 1);
    CHECK(e.store.gets == 0);
    REQUIRE(e.ledger(change_key(1)) != nullptr);
    CHECK(e.ledger(change_key(1))->reason == "empty file (0 bytes)");
}

TEST_CASE("An applied file that reappears with other content is reported once and not reapplied",
          "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(1), change_file(1));
    e.changes();
    e.store.put(change_key(1), change_file(2));

    const auto first = e.changes();
    CHECK(first.counts.files_applied == 0);
    REQUIRE(first.warnings.size() == 1);
    CHECK(first.warnings[0].find("not reapplied") != std::string::npos);
    const auto second = e.changes();
    CHECK(second.warnings.empty());
    CHECK(std::count_if(e.storage.state.rejects.begin(), e.storage.state.rejects.end(),
                        [](const auto& r) { return r.kind == "etag_changed"; }) == 1);
}

TEST_CASE(
    "A failed apply rolls its file back and leaves the watermark where it was, and the next poll "
    "applies it",
    "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(1), change_file(1));
    e.changes();
    e.store.put(change_key(2), change_file(2));
    e.storage.fail_next_change_apply = true;

    CHECK_THROWS_AS(e.changes(), StorageFailure);
    CHECK(e.ledger(change_key(2)) == nullptr);
    CHECK(e.storage.state.watermark == change_key(1));
    CHECK(e.storage.statements.back() == "rollback");
    CHECK_FALSE(e.storage.in_transaction());

    const auto retry = e.changes();
    CHECK(retry.counts.files_applied == 1);
    CHECK(e.storage.state.watermark == change_key(2));
}

TEST_CASE("A body cut off by the network fails the run and records nothing for the file",
          "[ingest][unit]") {
    Engine e;
    e.store.chunk = 16;
    e.store.put(change_key(1), change_file(1));
    e.store.fail_get = change_key(1);
    CHECK_THROWS(e.changes());
    CHECK(e.storage.state.ledger.empty());
    CHECK_FALSE(e.storage.state.watermark.has_value());
    CHECK_FALSE(e.storage.in_transaction());
}

TEST_CASE(
    "A dry run of the changes counts what would apply and leaves ledger, rejects and "
    "watermark as they were",
    "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(1), change_file(1));
    e.store.put(change_key(2), "not json");
    e.store.put(kPrefix + "changes/_SUCCESS", "");
    e.options.dry_run = true;

    const auto result = e.changes();

    CHECK(result.counts.files_applied == 1);
    CHECK(result.counts.files_quarantined == 2);
    CHECK(e.storage.state.ledger.empty());
    CHECK(e.storage.state.rejects.empty());
    CHECK_FALSE(e.storage.state.watermark.has_value());
    CHECK(e.storage.statements.front() == "begin");
    CHECK(e.storage.statements.back() == "rollback");
    CHECK_FALSE(e.storage.in_transaction());
}

TEST_CASE(
    "A watermark an older release set to a stray's key is replaced by the newest change "
    "file at the next poll",
    "[ingest][unit]") {
    Engine e;
    e.store.put(change_key(1), change_file(1));
    e.changes();
    e.storage.state.watermark = kPrefix + "changes/manual.txt";  // sorts after every change file

    e.changes(ingest::Listing::recent);
    CHECK(e.storage.state.watermark == change_key(1));
}
