// The scheduler loop: connect (with backoff), migrate once, take leadership, then run whichever
// stream is due, one at a time, on the one connection.
#include "service/scheduler.hpp"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>

#include "core/exit_codes.hpp"
#include "db/schema_state.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"
#include "s3/object_store.hpp"
#include "service/cycle_report.hpp"
#include "service/leadership.hpp"
#include "service/watchdog.hpp"

namespace ff::service {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// base * 2^(attempt-1), capped; attempt counts from 1.
milliseconds backoff(milliseconds base, milliseconds cap, int attempt) {
    milliseconds delay = base;
    for (int i = 1; i < attempt && delay < cap; ++i) delay *= 2;
    return std::min(delay, cap);
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

struct Scheduler::Impl {
    Impl(net::any_io_executor ex, s3::ObjectStore& s, metrics::FleetMetrics& m,
         metrics::HealthState& h, Watchdog* w, SchedulerOptions o, OnFinished f)
        : executor(ex),
          store(s),
          metrics(m),
          health(h),
          watchdog(w),
          options(std::move(o)),
          on_finished(std::move(f)),
          leadership(m, h),
          report(m, h),
          timer(ex) {
        options.ingest.dry_run = false;
        options.ingest.force = false;
        health.snapshot.interval = options.snapshot_interval;
        health.changes.interval = options.changes_interval;
        // /readyz stays 503 until the first lock attempt says whether this replica leads.
        health.starting = true;
    }

    net::any_io_executor executor;
    s3::ObjectStore& store;
    metrics::FleetMetrics& metrics;
    metrics::HealthState& health;
    Watchdog* watchdog;
    SchedulerOptions options;
    OnFinished on_finished;
    Leadership leadership;
    CycleReport report;
    net::steady_timer timer;  // every wait of the loop, so stop() can cut it short

    std::unique_ptr<db::Connection> conn;
    bool stopping = false;
    bool migrated = false;
    bool restored = false;  // the last-success gauges were read from fuel.ingest_state
    int exit_code = kExitOk;
    int connect_failures = 0;
    int failures[2] = {0, 0};
    Clock::time_point next_due[2] = {Clock::now(), Clock::now()};  // snapshot runs at start
    // The changes cycle lists every object (not only the recent ones) when this is due: at start,
    // so files that landed late while the daemon was down are found, then every snapshot interval.
    Clock::time_point next_full_listing = Clock::now();
    Clock::time_point last_db_ok = Clock::now();

    void set_db(bool up) {
        health.db_reachable = up;
        metrics.set_db_up(up);
        if (up) last_db_ok = Clock::now();
    }

    // The session is gone or unusable: its lock with it. The next round reconnects.
    void drop_connection(bool expected = false) {
        if (leadership.leader() && !expected)
            report.leadership_lost(std::chrono::system_clock::now());
        leadership.lost(expected);
        set_db(false);
        if (conn) conn->close();
        conn.reset();
    }

    net::awaitable<void> sleep(milliseconds d) {
        if (stopping || d <= milliseconds::zero()) co_return;
        timer.expires_after(d);
        boost::system::error_code ec;
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    }

    net::awaitable<void> loop() {
        while (!stopping) {
            if (!conn || !conn->usable()) {
                co_await connect_round();
            } else if (!leadership.leader()) {
                co_await standby_round();
            } else {
                co_await leader_round();
            }
        }
        if (conn) {
            spdlog::info("scheduler: closing the database connection");
            drop_connection(true);
        }
    }

    net::awaitable<void> connect_round() {
        drop_connection();
        conn = std::make_unique<db::Connection>(executor);
        milliseconds retry_in{0};
        try {
            co_await conn->connect(options.connect);
            set_db(true);
            if (connect_failures > 0) spdlog::info("scheduler: database reachable again");
            connect_failures = 0;
            if (!migrated && options.migrate_on_start) {
                auto report = co_await db::migrate(*conn, options.migrate);
                spdlog::info("scheduler: migrations: {} applied, {} already current",
                             report.applied.size(), report.already_current);
            } else if (!migrated) {
                // Without migrating, still never write into another tool's fuel schema.
                co_await db::refuse_foreign_schema(*conn);
            }
            migrated = true;
            if (!restored) co_await restore_recorded_success();
        } catch (const db::MigrateError& e) {
            // Retrying cannot help: the schema and this binary disagree, or the schema is not
            // FleetFuel's (the message says how to take it over).
            spdlog::error("scheduler: migration refused: {}", e.what());
            exit_code = kExitFailed;
            stopping = true;
        } catch (const db::DbError& e) {
            drop_connection();
            retry_in = backoff(options.reconnect_base, options.reconnect_cap, ++connect_failures);
            spdlog::warn("scheduler: database unavailable ({}); retrying in {} ms", e.what(),
                         retry_in.count());
        }
        co_await sleep(retry_in);  // not inside the handler: C++ forbids co_await there
    }

    // Every replica reads them once, so /metrics tells the real age of the last success from
    // the start, whoever leads. Without the table (not migrated yet) there is nothing to read.
    net::awaitable<void> restore_recorded_success() {
        try {
            auto r = co_await conn->exec(
                "SELECT stream, extract(epoch FROM last_success_at)::float8 FROM "
                "fuel.ingest_state WHERE last_success_at IS NOT NULL");
            for (int i = 0; i < r.rows(); ++i) {
                const auto stream = r.get(i, 0) == "snapshot" ? Stream::snapshot : Stream::changes;
                const std::chrono::duration<double> epoch(std::stod(std::string(r.get(i, 1))));
                report.restore_last_success(
                    stream,
                    std::chrono::system_clock::time_point(
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(epoch)));
            }
        } catch (const db::DbError& e) {
            if (e.connection_lost()) throw;
            spdlog::debug("scheduler: no recorded last success to restore: {}", e.what());
        }
        restored = true;
    }

    net::awaitable<void> standby_round() {
        bool leader = false;
        try {
            leader = co_await leadership.try_acquire(*conn);
            set_db(true);
            health.starting = false;
        } catch (const db::DbError& e) {
            spdlog::warn("scheduler: writer lock attempt failed: {}", e.what());
            drop_connection();
            co_return;
        }
        if (!leader) {
            report.another_replica_leads();
            co_await sleep(options.standby_poll);
        }
    }

    net::awaitable<void> leader_round() {
        const auto now = Clock::now();
        const int snap = static_cast<int>(Stream::snapshot);
        const int chg = static_cast<int>(Stream::changes);
        // One at a time, earliest due first; a tie goes to the snapshot.
        if (next_due[snap] <= now && next_due[snap] <= next_due[chg]) {
            co_await run_cycle(Stream::snapshot);
        } else if (next_due[chg] <= now) {
            co_await run_cycle(Stream::changes);
        } else if (now - last_db_ok >= options.readiness_every) {
            co_await probe_database();
        } else {
            const auto until =
                std::min({next_due[snap], next_due[chg], last_db_ok + options.readiness_every});
            co_await sleep(std::chrono::duration_cast<milliseconds>(until - now) + milliseconds(1));
        }
    }

    // An idle session dies silently when the server goes; a cheap query notices for /readyz.
    net::awaitable<void> probe_database() {
        try {
            co_await conn->exec("SELECT 1");
            set_db(true);
        } catch (const db::DbError& e) {
            spdlog::warn("scheduler: database check failed: {}", e.what());
            drop_connection();
        }
    }

    net::awaitable<void> run_cycle(Stream stream) {
        const int slot = static_cast<int>(stream);
        const milliseconds interval =
            stream == Stream::snapshot ? options.snapshot_interval : options.changes_interval;
        const auto started = Clock::now();
        report.started(stream, std::chrono::system_clock::now());
        if (watchdog) watchdog->cycle_started(slot, stream_name(stream));
        std::optional<std::string> error;
        bool lost = false;
        try {
            if (stream == Stream::snapshot) {
                auto result = co_await ingest::run_snapshot(*conn, store, options.ingest);
                report.snapshot_done(result, seconds_since(started),
                                     std::chrono::system_clock::now());
            } else {
                auto ingest = options.ingest;
                ingest.listing =
                    started >= next_full_listing ? ingest::Listing::full : ingest::Listing::recent;
                auto result = co_await ingest::run_changes(*conn, store, ingest);
                if (result.full_listing) next_full_listing = started + options.snapshot_interval;
                report.changes_done(result, seconds_since(started),
                                    std::chrono::system_clock::now());
            }
            set_db(true);
        } catch (const db::DbError& e) {
            error = e.what();
            lost = e.connection_lost() || !conn->usable();
        } catch (const std::exception& e) {
            error = e.what();
            lost = !conn->usable();
        }
        if (watchdog) watchdog->cycle_finished(slot);

        if (!error) {
            failures[slot] = 0;
            next_due[slot] = started + interval;
            if (stream == Stream::changes)
                next_due[slot] = std::min(next_due[slot], next_full_listing);
        } else {
            report.failed(stream, *error, seconds_since(started), std::chrono::system_clock::now());
            const auto delay =
                std::min(backoff(options.retry_base, interval, ++failures[slot]), interval);
            next_due[slot] = Clock::now() + delay;
            spdlog::error("{}: cycle failed (retry in {} ms): {}", stream_name(stream),
                          delay.count(), *error);
            if (lost) {
                drop_connection();
            } else {
                co_await rollback_leftovers();
            }
        }
        // A large cycle leaves freed pages in malloc's arenas; hand them back so RSS returns to
        // its idle figure.
        ::malloc_trim(0);
    }

    // The engine rolls back what it began; this only makes sure no transaction stays open.
    net::awaitable<void> rollback_leftovers() {
        try {
            co_await conn->exec("ROLLBACK");
        } catch (const db::DbError& e) {
            spdlog::warn("scheduler: rollback after a failed cycle failed: {}", e.what());
            drop_connection();
        }
    }
};

Scheduler::Scheduler(net::any_io_executor executor, s3::ObjectStore& store,
                     metrics::FleetMetrics& metrics, metrics::HealthState& health,
                     Watchdog* watchdog, SchedulerOptions options, OnFinished on_finished)
    : impl_(std::make_unique<Impl>(executor, store, metrics, health, watchdog, std::move(options),
                                   std::move(on_finished))) {}

Scheduler::~Scheduler() = default;

void Scheduler::start() {
    Impl* impl = impl_.get();
    impl->health.scheduler_running = true;
    spdlog::info("scheduler: snapshot every {} s, changes every {} s, from {}",
                 impl->options.snapshot_interval.count() / 1000.0,
                 impl->options.changes_interval.count() / 1000.0, impl->store.describe());
    net::co_spawn(impl->executor, impl->loop(), [impl](std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("scheduler: stopped by an unexpected error: {}", ex.what());
            } catch (...) {
                spdlog::error("scheduler: stopped by an unknown error");
            }
            impl->exit_code = kExitFailed;
        } else {
            spdlog::info("scheduler: stopped");
        }
        impl->health.scheduler_running = false;
        if (impl->on_finished) impl->on_finished(impl->exit_code);
    });
}

void Scheduler::stop() {
    if (impl_->stopping) return;
    impl_->stopping = true;
    impl_->timer.cancel();
}

void Scheduler::refresh_gauges() {
    impl_->report.refresh(std::chrono::system_clock::now());
}

}  // namespace ff::service
