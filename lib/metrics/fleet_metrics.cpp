// Names, help texts, labels and buckets of the fleetfuel_* metrics (docs/metrics.md
// promises the names; scripts/check-deploy.sh holds them to it).
#include "metrics/fleet_metrics.hpp"

namespace ff::metrics {
namespace {

// A cycle ranges from an idle poll (well under a second) to a large snapshot (many minutes).
const std::vector<double> kCycleBuckets{0.1, 0.25, 0.5, 1,   2.5, 5,    10,
                                        30,  60,   120, 300, 600, 1800, 3600};
// One S3 request: a LIST or HEAD in milliseconds, a large GET in minutes.
const std::vector<double> kS3Buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                     1,     2.5,  5,     10,   30,  60,   300};

}  // namespace

FleetMetrics::FleetMetrics(Registry& r, std::string_view version)
    : ingest_lag_(r.gauge("fleetfuel_ingest_lag_seconds",
                          "Age of the oldest source object not yet applied (0 when caught up).",
                          {"stream"})),
      source_age_(r.gauge("fleetfuel_source_age_seconds",
                          "Age of the newest source object seen (grows when the exporter stalls).",
                          {"stream"})),
      last_success_(
          r.gauge("fleetfuel_last_success_timestamp_seconds",
                  "Unix time of the last successful cycle (at start, from fuel.ingest_state; 0 "
                  "when none is known).",
                  {"stream"})),
      cycle_duration_(r.histogram("fleetfuel_cycle_duration_seconds",
                                  "Duration of ingest cycles, successful or not.", {"stream"},
                                  kCycleBuckets)),
      rows_(r.counter("fleetfuel_rows_total", "Source rows processed, by stream and outcome.",
                      {"stream", "action"})),
      rows_flagged_(r.counter("fleetfuel_rows_flagged_total",
                              "Rows stored with a data quality flag, by flag.", {"flag"})),
      files_(
          r.counter("fleetfuel_files_total", "Source files processed, by outcome.", {"outcome"})),
      change_files_late_(r.counter("fleetfuel_change_files_late_total",
                                   "Change files applied from below the poll's listing start: "
                                   "found by the full listing, not by the poll.")
                             .with({})),
      snapshot_refused_(r.counter("fleetfuel_snapshot_refused_total",
                                  "Snapshots refused by a safety guard, by reason.", {"reason"})),
      snapshot_deletes_withheld_(
          r.counter("fleetfuel_snapshot_deletes_withheld_total",
                    "Snapshots applied without soft-deleting their absent rows, because a row "
                    "could not be read and no id could be read from it.")
              .with({})),
      s3_requests_(r.counter("fleetfuel_s3_requests_total",
                             "Object store requests, by operation and outcome.",
                             {"op", "outcome"})),
      s3_duration_(r.histogram("fleetfuel_s3_request_duration_seconds",
                               "Duration of object store requests, by operation.", {"op"},
                               kS3Buckets)),
      http_refused_(r.counter("fleetfuel_http_refused_total",
                              "Clients the HTTP server refused or cut, by reason.", {"reason"})),
      db_up_(r.gauge("fleetfuel_db_up", "1 when the database connection is up, else 0.").with({})),
      leader_(r.gauge("fleetfuel_leader", "1 when this process holds the writer lock, else 0.")
                  .with({})),
      rules_mismatch_(r.gauge("fleetfuel_rules_mismatch",
                              "1 while this process does not write because the normalisation "
                              "rules in force in the database are not its own, else 0.")
                          .with({})) {
    for (const auto stream : kStreams) {
        ingest_lag_.with({stream});
        source_age_.with({stream});
        last_success_.with({stream});
        cycle_duration_.with({stream});
        for (const auto action : kRowActions) rows_.with({stream, action});
    }
    for (const auto flag : kRowFlags) rows_flagged_.with({flag});
    for (const auto outcome : kFileOutcomes) files_.with({outcome});
    for (const auto reason : kRefusedReasons) snapshot_refused_.with({reason});
    for (const auto op : kS3Ops) {
        for (const auto outcome : kS3Outcomes) s3_requests_.with({op, outcome});
        s3_duration_.with({op});
    }
    for (const auto reason : kHttpRefusedReasons) http_refused_.with({reason});
    r.gauge("fleetfuel_build_info", "FleetFuel build information; always 1.", {"version"})
        .with({version})
        .set(1);
}

void FleetMetrics::set_lag(std::string_view stream, double seconds) {
    ingest_lag_.with({stream}).set(seconds);
}

void FleetMetrics::set_source_age(std::string_view stream, double seconds) {
    source_age_.with({stream}).set(seconds);
}

void FleetMetrics::set_last_success(std::string_view stream,
                                    std::chrono::system_clock::time_point at) {
    const std::chrono::duration<double> since_epoch = at.time_since_epoch();
    last_success_.with({stream}).set(since_epoch.count());
}

void FleetMetrics::observe_cycle(std::string_view stream, double seconds) {
    cycle_duration_.with({stream}).observe(seconds);
}

void FleetMetrics::add_rows(std::string_view stream, std::string_view action, std::uint64_t n) {
    rows_.with({stream, action}).inc(static_cast<double>(n));
}

void FleetMetrics::add_flagged(std::string_view flag, std::uint64_t n) {
    rows_flagged_.with({flag}).inc(static_cast<double>(n));
}

void FleetMetrics::add_files(std::string_view outcome, std::uint64_t n) {
    files_.with({outcome}).inc(static_cast<double>(n));
}

void FleetMetrics::add_late_change_files(std::uint64_t n) {
    change_files_late_.inc(static_cast<double>(n));
}

void FleetMetrics::snapshot_refused(std::string_view reason) {
    snapshot_refused_.with({reason}).inc();
}

void FleetMetrics::snapshot_deletes_withheld() {
    snapshot_deletes_withheld_.inc();
}

void FleetMetrics::s3_request(std::string_view op, std::string_view outcome, double seconds) {
    s3_requests_.with({op, outcome}).inc();
    s3_duration_.with({op}).observe(seconds);
}

void FleetMetrics::set_db_up(bool up) {
    db_up_.set(up ? 1 : 0);
}
void FleetMetrics::set_leader(bool leader) {
    leader_.set(leader ? 1 : 0);
}

void FleetMetrics::set_rules_mismatch(bool mismatch) {
    rules_mismatch_.set(mismatch ? 1 : 0);
}

void FleetMetrics::http_refused(std::string_view reason) {
    http_refused_.with({reason}).inc();
}

}  // namespace ff::metrics
