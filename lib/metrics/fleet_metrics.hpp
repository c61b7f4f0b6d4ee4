// Every fleetfuel_* metric family of the daemon, declared in one place, with typed updaters.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "metrics/registry.hpp"

namespace ff::metrics {

// Label values known up front; their series exist (at 0) from the first scrape.
inline constexpr std::array<std::string_view, 2> kStreams{"snapshot", "changes"};
inline constexpr std::array<std::string_view, 7> kRowActions{
    "inserted", "updated", "soft_deleted", "undeleted", "unchanged", "stale", "rejected"};
inline constexpr std::array<std::string_view, 7> kRowFlags{
    "unparseable_number",      "price_mismatch",  "derived_amount",  "derived_litres",
    "derived_price_per_litre", "unreadable_date", "unparseable_bool"};
inline constexpr std::array<std::string_view, 3> kFileOutcomes{"applied", "quarantined", "failed"};
inline constexpr std::array<std::string_view, 2> kRefusedReasons{"mass_delete", "older_snapshot"};
inline constexpr std::array<std::string_view, 3> kS3Ops{"list", "head", "get"};
inline constexpr std::array<std::string_view, 2> kS3Outcomes{"ok", "error"};
// Why the HTTP server refused or cut a client (lib/http/server.hpp, lib/read/query_runner.hpp).
inline constexpr std::array<std::string_view, 9> kHttpRefusedReasons{
    "connection_limit", "client_limit", "evicted", "header_timeout",
    "malformed",        "too_large",    "busy",    "analytics_queue_full",
    "analytics_timeout"};

class FleetMetrics {
  public:
    // Declares the families in `registry` (which must outlive this) and pre-creates the known
    // series. `version` becomes fleetfuel_build_info{version}.
    FleetMetrics(Registry& registry, std::string_view version);

    // Streams are "snapshot" and "changes"; other label values are accepted and get new series.
    void set_lag(std::string_view stream, double seconds);
    void set_source_age(std::string_view stream, double seconds);
    void set_last_success(std::string_view stream, std::chrono::system_clock::time_point at);
    void observe_cycle(std::string_view stream, double seconds);
    void add_rows(std::string_view stream, std::string_view action, std::uint64_t n);
    void add_flagged(std::string_view flag, std::uint64_t n);
    void add_files(std::string_view outcome, std::uint64_t n = 1);
    void add_late_change_files(std::uint64_t n);
    void snapshot_refused(std::string_view reason);
    void snapshot_deletes_withheld();
    void s3_request(std::string_view op, std::string_view outcome, double seconds);
    void set_db_up(bool up);
    void set_leader(bool leader);
    void http_refused(std::string_view reason);

  private:
    Registry::Family<Gauge> ingest_lag_;
    Registry::Family<Gauge> source_age_;
    Registry::Family<Gauge> last_success_;
    Registry::Family<Histogram> cycle_duration_;
    Registry::Family<Counter> rows_;
    Registry::Family<Counter> rows_flagged_;
    Registry::Family<Counter> files_;
    Counter change_files_late_;
    Registry::Family<Counter> snapshot_refused_;
    Counter snapshot_deletes_withheld_;
    Registry::Family<Counter> s3_requests_;
    Registry::Family<Histogram> s3_duration_;
    Registry::Family<Counter> http_refused_;
    Gauge db_up_;
    Gauge leader_;
};

}  // namespace ff::metrics
