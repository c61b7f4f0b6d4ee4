// What a finished (or failed) ingest cycle tells the outside: health fields and metrics.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "ingest/ingest.hpp"

namespace ff::metrics {
class FleetMetrics;
struct HealthState;
}  // namespace ff::metrics

namespace ff::service {

enum class Stream { snapshot = 0, changes = 1 };  // also the watchdog slot
const char* stream_name(Stream stream);

class CycleReport {
  public:
    using TimePoint = std::chrono::system_clock::time_point;

    CycleReport(metrics::FleetMetrics& metrics, metrics::HealthState& health);

    void started(Stream stream, TimePoint now);
    void snapshot_done(const ingest::SnapshotResult& result, double seconds, TimePoint now);
    void changes_done(const ingest::ChangesResult& result, double seconds, TimePoint now);
    void failed(Stream stream, const std::string& message, double seconds, TimePoint now);

    // The leader's database session ended: no changes cycle can run until it is back, so the
    // changes lag grows as after a failed cycle.
    void leadership_lost(TimePoint now);
    // Another replica holds the writer lock: this one no longer falls behind by standing still.
    void another_replica_leads();

    // The last success fuel.ingest_state recorded before this process started: the
    // last-success gauge starts from it (not from 0, which alerting would read as 1970) unless
    // this process has already succeeded.
    void restore_last_success(Stream stream, TimePoint at);

    // Lag and source age grow between cycles, so they are computed from the remembered source
    // times whenever someone looks (just before /metrics renders).
    void refresh(TimePoint now);

  private:
    struct Lag {
        std::optional<TimePoint> oldest_pending;  // the oldest source object not yet applied
        std::optional<TimePoint> newest_seen;     // the newest source object listed
    };
    void add_counts(Stream stream, const ingest::Counts& counts);
    void finished(Stream stream, double seconds, TimePoint now, bool success);
    void mark_changes_stalled(TimePoint now);

    metrics::FleetMetrics& metrics_;
    metrics::HealthState& health_;
    Lag lag_[2];
    // While the changes stream cannot run: the time up to which we know the source was applied
    // (the last successful changes cycle; without one, the first failed attempt).
    std::optional<TimePoint> changes_stalled_since_;
};

}  // namespace ff::service
