// The daemon's scheduler: one coroutine that keeps a database session, holds leadership and runs
// the snapshot reconcile and the change poller in turns on the one connection.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "db/connection.hpp"
#include "db/migrate.hpp"
#include "ingest/ingest.hpp"

namespace ff::metrics {
class FleetMetrics;
struct HealthState;
}  // namespace ff::metrics

namespace ff::service {

class Watchdog;

struct SchedulerOptions {
    db::ConnectOptions connect;
    // The replica that takes the writer lock migrates (the schema, and its rules with every stored
    // row) before its first write; a standby never does. Without it, a leader only writes when
    // the rules in force are its own.
    bool migrate_on_start = true;
    db::MigrateOptions migrate;
    ingest::IngestOptions ingest;  // dry_run is forced off: the daemon always applies
    std::chrono::milliseconds snapshot_interval{3'600'000};
    std::chrono::milliseconds changes_interval{30'000};
    std::chrono::milliseconds standby_poll{3'000};     // a standby retries the writer lock
    std::chrono::milliseconds readiness_every{5'000};  // an idle leader checks the database
    std::chrono::milliseconds reconnect_base{500};
    std::chrono::milliseconds reconnect_cap{30'000};
    std::chrono::milliseconds retry_base{1'000};  // first retry of a failed cycle; then doubles
};

// All members are used on the executor's (single) thread.
class Scheduler {
  public:
    // Called once when the scheduler has ended, with the process exit code it suggests:
    // 0 after stop(), 1 when it could not go on (an incompatible database, an internal error).
    using OnFinished = std::function<void(int exit_code)>;

    // `store`, `metrics`, `health` and `watchdog` (may be null) must outlive the scheduler.
    Scheduler(boost::asio::any_io_executor executor, s3::ObjectStore& store,
              metrics::FleetMetrics& metrics, metrics::HealthState& health, Watchdog* watchdog,
              SchedulerOptions options, OnFinished on_finished);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    void start();

    // Starts no new work; the cycle in flight finishes (its transaction commits or rolls back),
    // then the connection is closed and on_finished runs. Idempotent.
    void stop();

    // Brings the time-dependent gauges (ingest lag, source age) up to now.
    void refresh_gauges();

    struct Impl;  // named here only so scheduler.cpp's coroutines can take it

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace ff::service
