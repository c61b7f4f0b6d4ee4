// fleetfuel_ingest_lag_seconds{stream="changes"} as CycleReport reports it, on a fake clock.
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "metrics/exposition.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"
#include "metrics/registry.hpp"
#include "service/cycle_report.hpp"

namespace {

using namespace std::chrono_literals;
using ff::ingest::ChangesResult;
using ff::service::Stream;
using TimePoint = std::chrono::system_clock::time_point;

const TimePoint kStart{std::chrono::seconds(1781208000)};  // 2026-06-11T20:00:00Z

struct Reporting {
    ff::metrics::Registry registry;
    ff::metrics::FleetMetrics metrics{registry, "test"};
    ff::metrics::HealthState health;
    ff::service::CycleReport report{metrics, health};

    void changes_ok(TimePoint now, std::optional<TimePoint> oldest_pending = std::nullopt) {
        report.started(Stream::changes, now);
        ChangesResult result;
        result.oldest_pending_modified = oldest_pending;
        report.changes_done(result, 0.1, now);
    }
    void changes_fail(TimePoint now) {
        report.started(Stream::changes, now);
        report.failed(Stream::changes, "s3: connection refused", 0.1, now);
    }
    // The changes lag a scrape at `now` shows.
    double lag(TimePoint now) {
        report.refresh(now);
        const std::string text = ff::metrics::render(registry.snapshot());
        const std::string series = "fleetfuel_ingest_lag_seconds{stream=\"changes\"} ";
        const auto at = text.find(series);
        REQUIRE(at != std::string::npos);
        return std::stod(text.substr(at + series.size()));
    }
};

}  // namespace

TEST_CASE("the changes lag keeps growing from the last success while the changes stream fails") {
    Reporting r;
    r.changes_ok(kStart);
    CHECK(r.lag(kStart) == 0.0);

    r.changes_fail(kStart + 30s);
    r.changes_fail(kStart + 60s);
    CHECK(r.lag(kStart + 90s) == 90.0);
    CHECK(r.lag(kStart + 20min) == 1200.0);

    r.changes_ok(kStart + 21min);  // caught up again: the backlog is measured, not assumed
    CHECK(r.lag(kStart + 21min) == 0.0);
}

TEST_CASE("a failing changes stream reports the older of its pending object and its last success") {
    Reporting r;
    r.changes_ok(kStart, kStart - 10min);  // a file from 10 minutes ago is still not applied
    r.changes_fail(kStart + 30s);
    CHECK(r.lag(kStart + 60s) == 660.0);
}

TEST_CASE("a changes stream that never succeeded falls behind from its first failed attempt") {
    Reporting r;
    CHECK(r.lag(kStart) == 0.0);
    r.changes_fail(kStart);
    r.changes_fail(kStart + 30s);
    CHECK(r.lag(kStart + 5min) == 300.0);
}

TEST_CASE("a leader losing its database session falls behind until a changes cycle succeeds") {
    Reporting r;
    r.changes_ok(kStart);
    r.report.leadership_lost(kStart + 10s);
    CHECK(r.lag(kStart + 10min) == 600.0);

    r.report.another_replica_leads();  // another replica ingests now; this one is not behind
    CHECK(r.lag(kStart + 11min) == 0.0);
}

TEST_CASE("a snapshot applied without its soft deletes is counted, a refused one is not") {
    Reporting r;
    const auto withheld = [&] {
        const std::string text = ff::metrics::render(r.registry.snapshot());
        const std::string series = "\nfleetfuel_snapshot_deletes_withheld_total ";
        const auto at = text.find(series);
        REQUIRE(at != std::string::npos);
        return std::stod(text.substr(at + series.size()));
    };
    CHECK(withheld() == 0.0);  // exists from the first scrape, so increase() sees the first one

    ff::ingest::SnapshotResult applied;
    applied.deletes_withheld = true;
    applied.counts.unidentified = 1;
    r.report.started(Stream::snapshot, kStart);
    r.report.snapshot_done(applied, 0.1, kStart);
    CHECK(withheld() == 1.0);

    ff::ingest::SnapshotResult refused = applied;
    refused.refused = ff::ingest::Refusal::mass_delete;
    r.report.started(Stream::snapshot, kStart + 1h);
    r.report.snapshot_done(refused, 0.1, kStart + 1h);
    CHECK(withheld() == 1.0);
}

TEST_CASE("a late change file shows in the changes lag until the next cycle, and is counted") {
    Reporting r;
    r.changes_ok(kStart);
    r.report.started(Stream::changes, kStart + 30s);
    ChangesResult found;
    found.full_listing = true;
    found.late_files = 2;
    found.oldest_late_modified = kStart - 50min;  // landed 50 minutes before the full listing
    r.report.changes_done(found, 0.1, kStart + 30s);
    CHECK(r.lag(kStart + 30s) == 3030.0);
    CHECK(r.lag(kStart + 40s) == 3040.0);
    const std::string text = ff::metrics::render(r.registry.snapshot());
    CHECK(text.find("fleetfuel_change_files_late_total 2\n") != std::string::npos);

    r.changes_ok(kStart + 60s);  // the next poll: nothing waits any more
    CHECK(r.lag(kStart + 60s) == 0.0);
}
