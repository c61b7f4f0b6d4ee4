// While a snapshot's ids ascend, the stager looks up whole id ranges and finds the stored rows the
// snapshot lacks itself (before its first id, between batches, inside a batch, after its last id);
// otherwise the database finds them. Either way the table ends as the rules say, with the same
// counts, and the mass-delete guard sees the same live count.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "support/engine_fixture.hpp"

using namespace fftest;
using ff::ingest::Refusal;

namespace {

struct Run {
    ff::ingest::SnapshotResult result;
    ModelCounts expected;
};

// Stores ids 1..200 and 206..210 (every 10th soft-deleted at the source), then reconciles a
// snapshot without ids 1-3, 50-64, 101, 150, 196-200 and 206-210 (past its last id), with some
// rows changed and ids 201-205 new; `shuffled` sends the same rows out of order.
Run reconcile(EngineFixture& fx, ReferenceModel& model, bool shuffled) {
    ExportGenerator gen(11);
    std::vector<GenRow> first;
    for (long long id = 1; id <= 210; ++id) {
        if (id > 200 && id < 206) continue;
        std::optional<Ts> deleted;
        if (id % 10 == 0) deleted = kBaseTime + id;
        first.push_back(gen.row(id, kBaseTime + id, deleted));
    }
    const Ts e1 = kBaseTime + 86400;
    fx.put("latest.json", gen.snapshot_object(first, e1));
    REQUIRE(fx.snapshot().refused == Refusal::none);
    model.apply_snapshot(first, e1);

    std::vector<GenRow> second;
    for (const auto& row : first) {
        const long long id = row.id;
        if (id <= 3 || (id >= 50 && id <= 64) || id == 101 || id == 150 || id >= 196) continue;
        second.push_back(id % 9 == 0 ? gen.row(id, e1 + id) : row);
    }
    for (long long id = 201; id <= 205; ++id) second.push_back(gen.row(id, e1 + id));
    if (shuffled) std::shuffle(second.begin(), second.end(), std::mt19937(3));
    const Ts e2 = e1 + 86400;
    fx.put("latest.json", gen.snapshot_object(second, e2));
    // 25 of the 184 live rows go (14 %): within a 20 % limit, beyond the default 10 %.
    Run run{fx.snapshot(true, false), model.apply_snapshot(second, e2, false, 0.20)};
    return run;
}

}  // namespace

TEST_CASE("Rows missing from a snapshot are found the same whether its ids ascend or not",
          "[integration]") {
    for (const bool shuffled : {false, true}) {
        INFO((shuffled ? "shuffled" : "ascending"));
        EngineFixture fx;
        fx.options.max_delete_fraction = 0.20;
        ReferenceModel model;
        const Run run = reconcile(fx, model, shuffled);
        REQUIRE(run.result.refused == Refusal::none);
        CHECK(run.result.counts.soft_deleted == run.expected.soft_deleted);
        CHECK(run.result.counts.inserted == run.expected.inserted);
        CHECK(run.result.counts.updated == run.expected.updated);
        CHECK(run.result.counts.unchanged == run.expected.unchanged);
        CHECK(run.expected.soft_deleted >= 25);
        fx.expect_state(model);
    }
}

TEST_CASE("The mass-delete guard counts the same live rows whether the ids ascend or not",
          "[integration]") {
    for (const bool shuffled : {false, true}) {
        INFO((shuffled ? "shuffled" : "ascending"));
        EngineFixture fx;  // the default 10 % limit: the reconcile above removes 15 %
        ReferenceModel model;
        const Run run = reconcile(fx, model, shuffled);
        CHECK(run.result.refused == Refusal::mass_delete);
        CHECK(run.result.message.find("\"live_rows\": 184") != std::string::npos);
        CHECK(run.result.message.find("\"would_soft_delete\": 25") != std::string::npos);
    }
}
