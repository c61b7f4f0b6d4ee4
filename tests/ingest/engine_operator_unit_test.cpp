// The operator commands' rules (requeue, reset-watermark) on the in-memory storage seam: which
// names they accept, what a dry run leaves alone, and what the next poll does after them. The
// commands themselves, with their output and exit codes, run through the binary in
// engine_operator_test.cpp.
#include <catch2/catch.hpp>

#include "ingest/ingest.hpp"
#include "ingest/operator.hpp"
#include "support/memory_storage.hpp"

using namespace fftest;
namespace ingest = ff::ingest;

namespace {

const std::string kPrefix = "fuel_records/";
const std::string kBroken = kPrefix + "changes/2026-06-02T02:00:00Z.json";
const std::string kApplied = kPrefix + "changes/2026-06-02T01:00:00Z.json";
const std::string kStray = kPrefix + "changes/_SUCCESS";

MemoryStorage ledger_with_three() {
    MemoryStorage s;
    s.put_ledger(kApplied, "e1", "applied");
    s.put_ledger(kBroken, "e2", "quarantined", "not JSON");
    s.put_ledger(kStray, "e3", "quarantined", "not a change file");
    s.state.watermark = kBroken;
    return s;
}

ingest::Requeue requeue(MemoryStorage& s, const std::string& key, bool apply) {
    return run_memory(ingest::requeue(s, kPrefix, key, apply));
}

}  // namespace

TEST_CASE(
    "requeue finds a quarantined file by its full key, or relative to the prefix or to "
    "changes/",
    "[ingest][unit]") {
    auto s = ledger_with_three();
    for (const std::string& name : {kBroken, std::string("changes/2026-06-02T02:00:00Z.json"),
                                    std::string("2026-06-02T02:00:00Z.json")}) {
        const auto r = requeue(s, name, false);
        CHECK(r.verdict == ingest::RequeueVerdict::would_requeue);
        CHECK(r.key == kBroken);
    }
    CHECK(s.state.ledger.at(kBroken).etag == "e2");  // dry runs change nothing
}

TEST_CASE("requeue --apply clears the ETag so the next listing retries the file",
          "[ingest][unit]") {
    auto s = ledger_with_three();
    MemoryObjectStore store;
    store.put(kBroken, R"({"changes": []})");
    CHECK(requeue(s, kBroken, true).verdict == ingest::RequeueVerdict::requeued);
    CHECK(s.state.ledger.at(kBroken).etag.empty());

    ingest::IngestOptions options;
    options.prefix = kPrefix;
    options.dry_run = false;
    const auto result = run_memory(ingest::run_changes(s, store, options));
    CHECK(result.counts.files_applied == 1);
    CHECK(s.state.ledger.at(kBroken).status == "applied");
}

TEST_CASE("requeue refuses an applied file, a stray and a key the ledger does not hold",
          "[ingest][unit]") {
    auto s = ledger_with_three();
    CHECK(requeue(s, kApplied, true).verdict == ingest::RequeueVerdict::applied);
    CHECK(requeue(s, "_SUCCESS", true).verdict == ingest::RequeueVerdict::not_a_change_file);
    CHECK(requeue(s, "2026-01-01T00:00:00Z.json", true).verdict ==
          ingest::RequeueVerdict::not_in_ledger);
    CHECK(s.state.ledger.at(kApplied).etag == "e1");
    CHECK(s.state.ledger.at(kStray).etag == "e3");
}

TEST_CASE("reset-watermark moves where the next poll lists from, and a dry run moves nothing",
          "[ingest][unit]") {
    MemoryStorage s;
    ingest::IngestOptions options;
    options.prefix = kPrefix;
    options.listing_overlap = 2;
    std::vector<std::string> keys;
    for (int h = 10; h < 20; ++h) {
        keys.push_back(kPrefix + "changes/2026-06-02T" + std::to_string(h) + ":00:00Z.json");
        s.put_ledger(keys.back(), "e", "applied");
    }
    s.state.watermark = keys.back();

    const auto dry = run_memory(ingest::reset_watermark(s, options, keys[5], false));
    CHECK(dry.from == keys.back());
    CHECK_FALSE(dry.applied);
    CHECK(s.state.watermark == keys.back());

    const auto moved = run_memory(ingest::reset_watermark(s, options, keys[5], true));
    CHECK(moved.applied);
    CHECK(s.state.watermark == keys[5]);
    CHECK(moved.next_listing_after == keys[3]);  // the 2 newest at or below it are listed again

    const auto cleared = run_memory(ingest::reset_watermark(s, options, std::nullopt, true));
    CHECK_FALSE(s.state.watermark.has_value());
    CHECK(cleared.next_listing_after.empty());  // from the first key
}

TEST_CASE("full_change_key completes a name relative to the prefix or to changes/",
          "[ingest][unit]") {
    CHECK(ingest::full_change_key(kPrefix, "x.json") == kPrefix + "changes/x.json");
    CHECK(ingest::full_change_key(kPrefix, "changes/x.json") == kPrefix + "changes/x.json");
    CHECK(ingest::full_change_key(kPrefix, kPrefix + "changes/x.json") ==
          kPrefix + "changes/x.json");
}
