// fleetfuel run: builds the always-on daemon's parts on one io_context and runs it until a signal.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "commands.hpp"
#include "config/value_parsers.hpp"
#include "core/exit_codes.hpp"
#include "http/listen_address.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "metrics/exposition.hpp"
#include "metrics/fleet_metrics.hpp"
#include "metrics/health.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "options.hpp"
#include "read/routes.hpp"
#include "service/heartbeat.hpp"
#include "service/scheduler.hpp"
#include "service/shutdown.hpp"
#include "service/watchdog.hpp"

namespace ff::cmd {
namespace {

namespace net = boost::asio;

service::SchedulerOptions scheduler_options(const config::Config& cfg) {
    service::SchedulerOptions o;
    o.connect = connect_options(cfg);
    o.migrate_on_start = cfg.migrate_on_start;
    o.migrate.lock_timeout = cfg.db_lock_timeout;
    o.migrate.reader_role = cfg.reader_role;
    o.ingest.prefix = cfg.prefix;
    o.ingest.max_delete_fraction = cfg.max_delete_fraction;
    o.snapshot_interval = cfg.snapshot_interval;
    o.changes_interval = cfg.changes_interval;
    return o;
}

// The read side: its own small connection pool, never the ingest connection, reading as
// FUEL_READER_ROLE.
void add_read_side(http::Router& router, net::any_io_executor executor, const config::Config& cfg,
                   std::function<void(std::string_view)> refused) {
    if (cfg.analytics_token.empty() && !http::loopback_only(cfg.http_listen))
        spdlog::warn(
            "run: FUEL_ANALYTICS is on without FUEL_ANALYTICS_TOKEN and HTTP_LISTEN ({}) is "
            "reachable from other machines: anyone who reaches it can read the fuel records",
            cfg.http_listen);
    read::AnalyticsOptions analytics;
    analytics.database_url = cfg.database_url;
    analytics.reader_role = cfg.reader_role;
    analytics.token = cfg.analytics_token;
    analytics.timeout = cfg.analytics_timeout;
    analytics.connect_timeout = cfg.db_connect_timeout;
    analytics.connections = static_cast<std::size_t>(cfg.analytics_connections);
    analytics.queue = static_cast<std::size_t>(cfg.analytics_queue);
    analytics.on_refused = std::move(refused);
    if (!cfg.analytics_cors_origins.empty())
        analytics.cors_origins = config::parse_origins(cfg.analytics_cors_origins);
    read::add_analytics_routes(router, std::move(executor), std::move(analytics));
    spdlog::info("run: analytics API on, reading as role {}{}", cfg.reader_role,
                 cfg.analytics_cors_origins.empty()
                     ? std::string()
                     : ", callable from " + cfg.analytics_cors_origins);
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

int run(const config::Config& cfg, const Args& args) {
    if (!args.empty()) return usage_error("run", "takes no options (got \"" + args.front() + "\")");
    config::require_object_store(cfg);  // a no-op with FUEL_SOURCE_DIR
    config::require_analytics(cfg);
    net::io_context io(1);  // the one thread everything runs on

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
    //    scheduler's lag through a pointer that is set in step 7.
    service::Scheduler* scheduler_view = nullptr;
    http::Context context;
    context.health = [&health] { return health; };
    context.render_metrics = [&] {
        process_metrics.refresh();
        if (scheduler_view) scheduler_view->refresh_gauges();
        return metrics::render(registry.snapshot());
    };
    auto refused = [&fleet](std::string_view reason) { fleet.http_refused(reason); };
    http::Router router = http::default_router(std::move(context));
    if (cfg.analytics) add_read_side(router, io.get_executor(), cfg, refused);
    http::ServerOptions server_options;
    server_options.listen = cfg.http_listen;
    server_options.on_refused = refused;
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
    service::Watchdog::Options watchdog_options;
    watchdog_options.loop_timeout = cfg.watchdog_timeout;
    watchdog_options.cycle_timeout = cfg.cycle_timeout;
    service::Watchdog watchdog(watchdog_options);
    service::Heartbeat heartbeat(io.get_executor(), watchdog, health);
    heartbeat.start();

    // 6. Signals: the first stops new work and waits (bounded by SHUTDOWN_GRACE) for the
    //    transaction in flight; a second one ends the process at once. Signals are only seen
    //    once the loop runs (step 8), when the scheduler exists.
    service::Shutdown shutdown(io, cfg.shutdown_grace, [&] { scheduler_view->stop(); });

    // 7. Scheduler. When it ends (after a stop, or on a fatal error) the rest is shut down.
    int exit_code = kExitOk;
    service::Scheduler scheduler(io.get_executor(), *store, fleet, health, &watchdog,
                                 scheduler_options(cfg), [&](int code) {
                                     exit_code = code;
                                     shutdown.finished();
                                     heartbeat.stop();
                                     server.stop();
                                     // Idle keep-alive sockets and sessions need not be waited for.
                                     io.stop();
                                 });
    scheduler_view = &scheduler;
    scheduler.start();
    shutdown.start();

    arm_test_loop_block(io);

    // 8. Run until the scheduler has finished.
    io.run();
    spdlog::info("run: stopped (exit code {})", exit_code);
    return exit_code;
}

}  // namespace ff::cmd
