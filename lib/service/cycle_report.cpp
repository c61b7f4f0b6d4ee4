// CycleReport: turns ingest results into HealthState fields and fleetfuel_* metrics.
#include "service/cycle_report.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"

namespace ff::service {
namespace {

metrics::StreamHealth& of(metrics::HealthState& health, Stream stream) {
    return stream == Stream::snapshot ? health.snapshot : health.changes;
}

double age_seconds(std::chrono::system_clock::time_point then,
                   std::chrono::system_clock::time_point now) {
    return std::max(0.0, std::chrono::duration<double>(now - then).count());
}

}  // namespace

const char* stream_name(Stream stream) {
    return stream == Stream::snapshot ? "snapshot" : "changes";
}

CycleReport::CycleReport(metrics::FleetMetrics& metrics, metrics::HealthState& health)
    : metrics_(metrics), health_(health) {}

void CycleReport::started(Stream stream, TimePoint now) {
    of(health_, stream).cycle_started = now;
}

void CycleReport::snapshot_done(const ingest::SnapshotResult& result, double seconds,
                                TimePoint now) {
    auto& lag = lag_[static_cast<int>(Stream::snapshot)];
    if (result.last_modified) lag.newest_seen = result.last_modified;
    add_counts(Stream::snapshot, result.counts);
    if (result.refused != ingest::Refusal::none) {
        // Not applied: the snapshot stays pending (lag grows) until a later one is accepted.
        metrics_.snapshot_refused(to_string(result.refused));
        lag.oldest_pending = result.last_modified;
        spdlog::warn("snapshot: {}", result.message);
        of(health_, Stream::snapshot).last_error = result.message;
        of(health_, Stream::snapshot).last_error_at = now;
        finished(Stream::snapshot, seconds, now, false);
        return;
    }
    if (result.file_error) {
        metrics_.add_files("quarantined");
        lag.oldest_pending = result.last_modified;
        spdlog::error("snapshot: {}", result.message);
        of(health_, Stream::snapshot).last_error = result.message;
        of(health_, Stream::snapshot).last_error_at = now;
        finished(Stream::snapshot, seconds, now, false);
        return;
    }
    lag.oldest_pending.reset();
    if (result.not_modified) {
        spdlog::debug("snapshot: unchanged (ETag matches the last applied one)");
    } else {
        metrics_.add_files("applied");
        if (result.deletes_withheld) metrics_.snapshot_deletes_withheld();
        spdlog::info("snapshot: applied: {}", ingest::summary(result.counts));
    }
    finished(Stream::snapshot, seconds, now, true);
}

void CycleReport::changes_done(const ingest::ChangesResult& result, double seconds, TimePoint now) {
    auto& lag = lag_[static_cast<int>(Stream::changes)];
    if (result.newest_modified) lag.newest_seen = result.newest_modified;
    // A late file waited unseen from its Last-Modified until the full listing found it: until the
    // next cycle the lag says how long, instead of a 0 that would hide that it was behind.
    lag.oldest_pending = result.oldest_pending_modified;
    if (result.oldest_late_modified &&
        (!lag.oldest_pending || *result.oldest_late_modified < *lag.oldest_pending))
        lag.oldest_pending = result.oldest_late_modified;
    changes_stalled_since_.reset();
    add_counts(Stream::changes, result.counts);
    if (result.late_files > 0) {
        metrics_.add_late_change_files(static_cast<std::uint64_t>(result.late_files));
        spdlog::warn("changes: {} late change file(s) applied, found by the full listing below {}",
                     result.late_files, result.listing_start);
    }
    metrics_.add_files("applied", static_cast<std::uint64_t>(result.counts.files_applied));
    metrics_.add_files("quarantined", static_cast<std::uint64_t>(result.counts.files_quarantined));
    for (const auto& warning : result.warnings) spdlog::warn("changes: {}", warning);
    if (result.counts.files_applied + result.counts.files_quarantined > 0)
        spdlog::info("changes: {}", ingest::summary(result.counts));
    finished(Stream::changes, seconds, now, true);
}

void CycleReport::failed(Stream stream, const std::string& message, double seconds, TimePoint now) {
    metrics_.add_files("failed");
    of(health_, stream).last_error = message;
    of(health_, stream).last_error_at = now;
    if (stream == Stream::changes) mark_changes_stalled(now);
    finished(stream, seconds, now, false);
}

void CycleReport::leadership_lost(TimePoint now) {
    mark_changes_stalled(now);
}

void CycleReport::mark_changes_stalled(TimePoint now) {
    if (changes_stalled_since_) return;  // the outage started earlier
    const auto& health = health_.changes;
    changes_stalled_since_ = health.last_success.value_or(health.cycle_started.value_or(now));
}

void CycleReport::another_replica_leads() {
    changes_stalled_since_.reset();
}

void CycleReport::restore_last_success(Stream stream, TimePoint at) {
    if (of(health_, stream).last_success) return;  // this process knows a newer one
    metrics_.set_last_success(stream_name(stream), at);
}

// Lag answers "how far behind are we": the age of the oldest source object not yet applied. While
// the changes stream is failing (S3 or the database down) that object cannot even be listed, so
// its lag is at least the time since the last successful changes cycle: anything exported since
// then may be waiting. It keeps growing until a cycle succeeds and measures the backlog again.
void CycleReport::refresh(TimePoint now) {
    for (const Stream stream : {Stream::snapshot, Stream::changes}) {
        const Lag& lag = lag_[static_cast<int>(stream)];
        double seconds = lag.oldest_pending ? age_seconds(*lag.oldest_pending, now) : 0.0;
        if (stream == Stream::changes && changes_stalled_since_)
            seconds = std::max(seconds, age_seconds(*changes_stalled_since_, now));
        metrics_.set_lag(stream_name(stream), seconds);
        if (lag.newest_seen)
            metrics_.set_source_age(stream_name(stream), age_seconds(*lag.newest_seen, now));
    }
}

void CycleReport::add_counts(Stream stream, const ingest::Counts& c) {
    const char* name = stream_name(stream);
    for (const ingest::CountField& f : ingest::count_fields) {
        const long long n = c.*f.member;
        if (f.row_action && n > 0) metrics_.add_rows(name, f.key, static_cast<std::uint64_t>(n));
    }
    for (const auto& [flag, n] : c.flags)
        if (n > 0) metrics_.add_flagged(flag, static_cast<std::uint64_t>(n));
}

void CycleReport::finished(Stream stream, double seconds, TimePoint now, bool success) {
    auto& health = of(health_, stream);
    health.cycle_started.reset();
    metrics_.observe_cycle(stream_name(stream), seconds);
    if (success) {
        health.last_success = now;
        metrics_.set_last_success(stream_name(stream), now);
    }
    refresh(now);
}

}  // namespace ff::service
