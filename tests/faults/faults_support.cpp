// The fault suite's process runner, exact state comparison and result log.
#include "faults_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "parse/typed_column_set.hpp"
#include "support/child_process.hpp"
#include "support/test_env.hpp"

namespace fftest {
namespace {

// Every typed column next to what fuel.normalise(raw) gives, for one comparison in SQL.
const std::string kNormalisedMismatch =
    "SELECT r.id FROM fuel.records r, LATERAL fuel.normalise(r.raw) n WHERE (" +
    ff::parse::typed_column_list("r.") + ") IS DISTINCT FROM (" +
    ff::parse::typed_column_list("n.") + ") ORDER BY r.id";

}  // namespace

Env db_env(const std::string& database_url) {
    return {{"DATABASE_URL", database_url}, {"WRITER_LOCK_WAIT", "60s"}, {"LOG_LEVEL", "info"}};
}

Proc run_fleetfuel(const Env& env, const std::vector<std::string>& args,
                   std::chrono::milliseconds kill_after) {
    ChildProcess child({.args = args, .env = env});
    Proc p;
    if (kill_after.count() > 0 && !child.wait_for(kill_after)) {
        child.kill();
        p.killed = true;
    }
    p.exit_code = child.wait();
    p.out = child.out();
    p.err = child.err();
    return p;
}

Tally compare_state(PgSession& pg, const ReferenceModel& model) {
    Tally t;
    auto rows = pg.query(
        "SELECT id, coalesce(extract(epoch FROM deleted_at)::bigint::text, 'live'), "
        "coalesce(deleted_reason, ''), raw::text FROM fuel.records ORDER BY id");
    std::map<long long, std::size_t> stored;
    for (std::size_t i = 0; i < rows.size(); ++i) stored[std::stoll(*rows[i][0])] = i;
    for (const auto& [id, want] : model.rows())
        if (!stored.count(id)) {
            ++t.lost;
            UNSCOPED_INFO("lost id " << id);
        }
    std::vector<std::optional<std::string>> ids, raws;
    for (const auto& [id, i] : stored) {
        auto it = model.rows().find(id);
        if (it == model.rows().end()) {
            ++t.duplicated;
            UNSCOPED_INFO("unexpected id " << id);
            continue;
        }
        const auto& want = it->second;
        const auto& row = rows[i];
        const std::string live =
            want.deleted_at ? std::to_string(*want.deleted_at) : std::string("live");
        if (*row[1] != live || *row[2] != want.deleted_reason) {
            ++t.wrong;
            UNSCOPED_INFO("id " << id << " deleted_at " << *row[1] << " reason " << *row[2]
                                << ", expected " << live << " " << want.deleted_reason);
        }
        ids.push_back(std::to_string(id));
        raws.push_back(want.raw);
    }
    // raw compared as jsonb, all rows in one statement: the expected raws go in as a JSON array.
    std::string ids_json = "[", raws_json = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) ids_json += ",", raws_json += ",";
        ids_json += *ids[i];
        raws_json += *raws[i];
    }
    ids_json += "]";
    raws_json += "]";
    auto bad = pg.query(
        "SELECT e.id FROM (SELECT (i.value)::text::bigint AS id, r.value AS raw "
        "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY i(value, n) "
        "JOIN jsonb_array_elements($2::jsonb) WITH ORDINALITY r(value, n) USING (n)) e "
        "JOIN fuel.records f USING (id) WHERE f.raw IS DISTINCT FROM e.raw ORDER BY e.id",
        {ids_json, raws_json});
    for (const auto& b : bad) UNSCOPED_INFO("wrong raw for id " << *b[0]);
    t.wrong += static_cast<long long>(bad.size());
    auto unnormalised = pg.query(kNormalisedMismatch);
    for (const auto& b : unnormalised) UNSCOPED_INFO("normalised fields differ for id " << *b[0]);
    t.wrong += static_cast<long long>(unnormalised.size());
    return t;
}

Tally expect_exact(PgSession& pg, const ReferenceModel& model, const std::string& scenario) {
    const Tally t = compare_state(pg, model);
    INFO(scenario << ": lost " << t.lost << ", duplicated " << t.duplicated << ", wrong "
                  << t.wrong);
    CHECK(t.lost == 0);
    CHECK(t.duplicated == 0);
    CHECK(t.wrong == 0);
    CHECK(pg.scalar("SELECT count(*) FROM fuel.records WHERE deleted_at IS NULL") ==
          std::to_string(model.live_count()));
    return t;
}

void record_result(const std::string& scenario, int runs, const Tally& total) {
    std::ostringstream line;
    line << "faults: " << scenario << " | runs " << runs << " | lost " << total.lost
         << " | duplicated " << total.duplicated << " | wrong " << total.wrong << "\n";
    std::cout << line.str() << std::flush;
    if (const char* path = std::getenv("FF_FAULTS_REPORT"))
        std::ofstream(path, std::ios::app) << line.str();
}

std::vector<std::uint32_t> seeded_points(std::uint32_t seed, int default_points) {
    int n = default_points;
    if (const char* v = std::getenv("FF_FAULTS_POINTS")) n = std::max(1, std::atoi(v));
    std::mt19937 rng(seed);
    std::vector<std::uint32_t> out;
    for (int i = 0; i < n; ++i) out.push_back(rng());
    return out;
}

}  // namespace fftest
