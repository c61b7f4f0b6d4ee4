// fleetfuel run: builds the always-on daemon's parts on one io_context and runs it until a signal.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "commands.hpp"
#include "core/exit_codes.hpp"
#include "core/watchdog.hpp"
#include "http/analytics_routes.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "ingest/scheduler.hpp"
#include "ingest/service_heartbeat.hpp"
#include "metrics/exposition.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "options.hpp"

namespace ff::cmd {
namespace {

namespace net = boost::asio;

ingest::SchedulerOptions scheduler_options(const config::Config& cfg) {
    ingest::SchedulerOptions o;
    o.connect = connect_options(cfg);
    o.migrate_on_start = cfg.migrate_on_start;
    o.migrate.lock_timeout = cfg.db_lock_timeout;
    o.migrate.reader_role = cfg.reader_role;
    o.ingest.prefix = cfg.prefix;
    o.ingest.max_delete_fraction = cfg.max_delete_fraction;
    o.ingest.changes_lookback = cfg.changes_lookback;
    o.snapshot_interval = cfg.snapshot_interval;
    o.changes_interval = cfg.changes_interval;
    return o;
}

// TEST ONLY: FLEETFUEL_TEST_BLOCK_LOOP_MS=N blocks the event loop once, N ms, right after startup,
// so the integration tests can prove the watchdog ends a wedged daemon with exit code 70.
// Never set it in production.
void arm_test_loop_block(net::io_context& io) {
    const char* value = std::getenv("FLEETFUEL_TEST_BLOCK_LOOP_MS");
    if (!value || !*value) return;
    const auto ms = std::chrono::milliseconds(std::atol(value));
    net::post(io, [ms] {
        spdlog::warn("FLEETFUEL_TEST_BLOCK_LOOP_MS: blocking the event loop for {} ms (test only)",
                     ms.count());
        std::this_thread::sleep_for(ms);
    });
}

}  // namespace

int run(const config::Config& cfg, const Args&) {
    config::require_object_store(cfg);  // a no-op with FUEL_SOURCE_DIR
    net::io_context io(1);              // the one thread everything runs on

    // 1. Metrics: the registry first, every family declared before the first scrape.
    metrics::Registry registry;
    metrics::ProcessMetrics process_metrics(registry);
    metrics::FleetMetrics fleet(registry, FF_VERSION);

    // 2. Health: written by the scheduler and the heartbeat, read by /healthz and /readyz.
    metrics::HealthState health;
    health.cycle_timeout = cfg.cycle_timeout;
    health.heartbeat_timeout = cfg.watchdog_timeout;
    health.snapshot.interval = cfg.snapshot_interval;
    health.changes.interval = cfg.changes_interval;

    // 3. HTTP server, up before anything slow so probes are answered from the start. It reads the
    //    scheduler's lag through a pointer that is set in step 6.
    ingest::Scheduler* scheduler_view = nullptr;
    http::Context context;
    context.health = [&health] { return health; };
    context.render_metrics = [&] {
        process_metrics.refresh();
        if (scheduler_view) scheduler_view->refresh_gauges();
        return metrics::render(registry.snapshot());
    };
    http::Router router = http::default_router(std::move(context));
    if (cfg.analytics) {
        // The read side: its own small connection pool, never the ingest connection.
        http::AnalyticsOptions analytics;
        analytics.database_url = cfg.database_url;
        analytics.token = cfg.analytics_token;
        analytics.statement_timeout = cfg.db_statement_timeout;
        analytics.pool_size = 2;
        http::add_analytics_routes(router, io.get_executor(), std::move(analytics));
    }
    http::ServerOptions server_options;
    server_options.listen = cfg.http_listen;
    http::Server server(io, std::move(router), server_options);
    server.start();
    spdlog::info("run: HTTP on {} (port {})", cfg.http_listen, server.port());

    // 4. Object store: S3 with request metrics, or a local directory (FUEL_SOURCE_DIR).
    auto store =
        make_object_store(io.get_executor(), cfg, cfg.source_dir,
                          [&fleet](std::string_view op, std::string_view outcome, double seconds) {
                              fleet.s3_request(op, outcome, seconds);
                          });

    // 5. Watchdog and the loop's heartbeat (1 s) that keeps it quiet.
    Watchdog::Options watchdog_options;
    watchdog_options.loop_timeout = cfg.watchdog_timeout;
    watchdog_options.cycle_timeout = cfg.cycle_timeout;
    Watchdog watchdog(watchdog_options);
    ingest::Heartbeat heartbeat(io.get_executor(), watchdog, health);
    heartbeat.start();

    // 6. Scheduler. When it ends (after a stop, or on a fatal error) the rest is shut down.
    int exit_code = kExitOk;
    net::signal_set signals(io, SIGTERM, SIGINT);
    net::steady_timer grace_timer(io);
    ingest::Scheduler scheduler(
        io.get_executor(), *store, fleet, health, &watchdog, scheduler_options(cfg), [&](int code) {
            exit_code = code;
            grace_timer.cancel();
            heartbeat.stop();
            server.stop();
            signals.cancel();
            io.stop();  // idle keep-alive sockets and sessions need not be waited for
        });
    scheduler_view = &scheduler;
    scheduler.start();

    // 7. Signals: the first stops new work and waits (bounded by SHUTDOWN_GRACE) for the
    //    transaction in flight; a second one ends the process at once.
    bool stopping = false;
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        if (stopping) {
            spdlog::warn("run: second signal ({}); exiting at once", signo);
            spdlog::default_logger()->flush();
            std::_Exit(kExitFailed);
        }
        stopping = true;
        spdlog::info("run: signal {}; finishing the work in flight (at most {} ms)", signo,
                     cfg.shutdown_grace.count());
        scheduler.stop();
        grace_timer.expires_after(cfg.shutdown_grace);
        grace_timer.async_wait([](const boost::system::error_code& e) {
            if (e) return;
            // PostgreSQL rolls the open transaction back when the process's session ends.
            spdlog::error(
                "run: shutdown grace expired; exiting, the transaction in flight is "
                "rolled back");
            spdlog::default_logger()->flush();
            std::_Exit(kExitFailed);
        });
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);

    arm_test_loop_block(io);

    // 8. Run until the scheduler has finished.
    io.run();
    spdlog::info("run: stopped (exit code {})", exit_code);
    return exit_code;
}

}  // namespace ff::cmd
