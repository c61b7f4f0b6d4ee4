// Shared helpers of the fault-injection suite: the real fleetfuel binary as a child process
// (optionally SIGKILLed after a delay), and an exact comparison of fuel.records with the
// reference model that also counts rows lost, duplicated and wrong.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/export_generator.hpp"
#include "support/pg_test.hpp"

namespace fftest {

using Env = std::map<std::string, std::string>;

struct Proc {
    int exit_code = -1;   // 128 + signal when a signal ended it
    bool killed = false;  // ended by our SIGKILL
    std::string out, err;
};

// Runs `fleetfuel args...` in an empty directory with exactly `env` (plus PATH and the sanitizer
// settings). With a `kill_after`, SIGKILLs it then unless it has already ended.
Proc run_fleetfuel(const Env& env, const std::vector<std::string>& args,
                   std::chrono::milliseconds kill_after = std::chrono::milliseconds::zero());

// DATABASE_URL and a generous WRITER_LOCK_WAIT (a killed run's session may linger a moment).
Env db_env(const std::string& database_url);

struct Tally {
    Tally& operator+=(const Tally& o) {
        lost += o.lost, duplicated += o.duplicated, wrong += o.wrong;
        return *this;
    }
    long long lost = 0;        // ids the model has and fuel.records does not
    long long duplicated = 0;  // ids fuel.records has and the model does not
    long long wrong = 0;       // raw, liveness, deleted_at, reason or normalised fields differ
};

// Compares every row of fuel.records with the model and with fuel.normalise(raw).
Tally compare_state(PgSession& pg, const ReferenceModel& model);
// Fails the test unless the tally is all zeros and the live count matches; returns the tally.
Tally expect_exact(PgSession& pg, const ReferenceModel& model, const std::string& scenario);

// Appends "scenario runs lost duplicated wrong" to $FF_FAULTS_REPORT (if set) and to stdout.
void record_result(const std::string& scenario, int runs, const Tally& total);

// A reproducible seed list: FF_FAULTS_POINTS (default `default_points`) values from `seed`.
std::vector<std::uint32_t> seeded_points(std::uint32_t seed, int default_points);

}  // namespace fftest
