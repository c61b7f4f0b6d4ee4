// The scheduler loop: connect (with backoff), take leadership when the rules allow it, migrate as
// the writer, then run whichever stream is due, one at a time, on the one connection.
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
#include "ingest/pg_storage.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"
#include "s3/object_store.hpp"
#include "service/cycle_report.hpp"
#include "service/leadership.hpp"
#include "service/rules_gate.hpp"
#include "service/turns.hpp"
#include "service/watchdog.hpp"

namespace ff::service {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

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
          rules_gate(m, h, options.migrate_on_start),
          turns(options.snapshot_interval, options.changes_interval, options.retry_base,
                Clock::now()),
          timer(ex) {
        options.ingest.dry_run = false;
        options.ingest.force = false;
        // The leader holds the writer lock whenever it migrates; a shutdown ends a long
        // normalisation of the stored rows early, rolled back (the next start does it again).
        options.migrate.writer_lock_wait = milliseconds::zero();
        options.migrate.renormalise.stop_requested = [this] { return stopping; };
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
    RulesGate rules_gate;
    Turns turns;  // which stream runs next; the snapshot and a full listing are due at start
    net::steady_timer timer;  // every wait of the loop, so stop() can cut it short

    std::unique_ptr<db::Connection> conn;
    bool stopping = false;
    bool restored = false;  // the last-success gauges were read from fuel.ingest_state
    int exit_code = kExitOk;
    int connect_failures = 0;
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
            // Never write into another tool's fuel schema. Nothing is migrated here: only the
            // writer migrates, after it takes the lock (take_office).
            co_await db::refuse_foreign_schema(*conn);
            if (!restored) co_await restore_recorded_success();
        } catch (const db::MigrateError& e) {
            // Retrying cannot help: the schema is not FleetFuel's (the message says how to take
            // it over).
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
            ingest::PgStorage storage(*conn);
            const auto successes = co_await storage.last_successes();
            for (const auto& s : successes) {
                report.restore_last_success(
                    s.stream == "snapshot" ? Stream::snapshot : Stream::changes, s.at);
            }
        } catch (const db::DbError& e) {
            if (e.connection_lost()) throw;
            spdlog::debug("scheduler: no recorded last success to restore: {}", e.what());
        }
        restored = true;
    }

    // A standby reads the rules in force and, when they let it write, tries for the writer lock;
    // it never migrates. The replica that takes the lock migrates before its first write.
    net::awaitable<void> standby_round() {
        bool may_lead = false;
        bool leader = false;
        try {
            may_lead = co_await rules_gate.check(*conn);
            if (may_lead) leader = co_await leadership.try_acquire(*conn);
            set_db(true);
            health.starting = false;
        } catch (const db::DbError& e) {
            spdlog::warn("scheduler: writer lock attempt failed: {}", e.what());
            drop_connection();
            co_return;
        }
        if (leader) {
            co_await take_office();
            co_return;
        }
        if (may_lead) report.another_replica_leads();
        co_await sleep(options.standby_poll);
    }

    // Holding the writer lock, before the first write: the schema, and this binary's rules with
    // every stored row in line with them (or, without migrate on start, the rules checked again,
    // now that nobody else can change them). Rules this binary may not write with: back to standby.
    net::awaitable<void> take_office() {
        bool refused = false;
        bool lost = false;
        try {
            if (options.migrate_on_start) {
                log_migration(co_await db::migrate(*conn, options.migrate));
            } else {
                refused = !co_await rules_gate.check(*conn);
            }
        } catch (const db::RulesNewerError& e) {
            // A newer release installed its rules after this replica's last look.
            spdlog::debug("scheduler: {}", e.what());
            refused = true;
        } catch (const db::RenormaliseStopped& e) {
            spdlog::info("scheduler: shutting down: installing the rules {}", e.what());
            co_return;  // stopping is set; the loop closes the connection
        } catch (const db::MigrateError& e) {
            // Retrying cannot help: the schema and this binary disagree (the message says how).
            spdlog::error("scheduler: migration refused: {}", e.what());
            exit_code = kExitFailed;
            stopping = true;
            co_return;
        } catch (const db::DbError& e) {
            spdlog::warn("scheduler: migration failed ({}); retrying", e.what());
            lost = true;
        } catch (const db::WriterLockBusy& e) {
            // Cannot happen while this session holds the lock; as a lost session if it does.
            spdlog::error("scheduler: {}", e.what());
            lost = true;
        }
        if (lost) {
            drop_connection();
            co_await sleep(backoff(options.reconnect_base, options.reconnect_cap, 1));
        } else if (refused) {
            co_await step_down();
        }
    }

    void log_migration(const db::MigrateReport& migrated) {
        spdlog::info("scheduler: migrations: {} applied, {} already current",
                     migrated.applied.size(), migrated.already_current);
        if (!migrated.rules) return;
        const auto& r = *migrated.rules;
        spdlog::info(
            "scheduler: normalisation rules {} -> {} ({}): {} stored rows normalised again, {} "
            "changed, in {} ms",
            r.from ? db::to_string(*r.from) : "(none)", db::to_string(r.to), r.action, r.rows,
            r.changed, r.took.count());
    }

    // Gives the writer lock back, says why (the rules gate), and waits as a standby.
    net::awaitable<void> step_down() {
        try {
            co_await leadership.step_down(*conn);
            co_await rules_gate.check(*conn);
        } catch (const db::DbError& e) {
            spdlog::warn("scheduler: giving the writer lock back failed: {}", e.what());
            drop_connection();
            co_return;
        }
        co_await sleep(options.standby_poll);
    }

    net::awaitable<void> leader_round() {
        const auto now = Clock::now();
        const auto next = turns.next(now, last_db_ok, options.readiness_every);
        switch (next.action) {
            case Turns::Action::snapshot:
                co_await run_cycle(Stream::snapshot);
                break;
            case Turns::Action::changes:
                co_await run_cycle(Stream::changes);
                break;
            case Turns::Action::probe:
                co_await probe_database();
                break;
            case Turns::Action::sleep:
                co_await sleep(std::chrono::duration_cast<milliseconds>(next.until - now) +
                               milliseconds(1));
                break;
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
        const auto started = Clock::now();
        report.started(stream, std::chrono::system_clock::now());
        if (watchdog) watchdog->cycle_started(slot, stream_name(stream));
        std::optional<std::string> error;
        bool lost = false;
        bool full_listing = false;
        try {
            if (stream == Stream::snapshot) {
                auto result = co_await ingest::run_snapshot(*conn, store, options.ingest);
                report.snapshot_done(result, seconds_since(started),
                                     std::chrono::system_clock::now());
            } else {
                auto ingest = options.ingest;
                ingest.listing = turns.full_listing_due(started) ? ingest::Listing::full
                                                                 : ingest::Listing::recent;
                auto result = co_await ingest::run_changes(*conn, store, ingest);
                full_listing = result.full_listing;
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
            turns.succeeded(stream, started, full_listing);
        } else {
            report.failed(stream, *error, seconds_since(started), std::chrono::system_clock::now());
            const auto delay = turns.failed(stream, Clock::now());
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
