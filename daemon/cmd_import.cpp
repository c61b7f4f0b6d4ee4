// fleetfuel import --snapshot|--changes [--apply] [--force] [--source-dir DIR] [--json]:
// one-shot ingest under the writer lock; a dry run (rolled back, exact counts) without --apply.
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"
#include "core/exit_codes.hpp"
#include "core/secrets.hpp"
#include "db/advisory_lock.hpp"
#include "db/connection.hpp"
#include "db/schema_state.hpp"
#include "ingest/ingest.hpp"
#include "options.hpp"

namespace ff::cmd {
namespace {

using boost::asio::awaitable;

struct ImportArgs {
    bool snapshot = false;
    bool changes = false;
    bool apply = false;
    bool force = false;
    bool json = false;
    std::string source_dir;
};

// Returns nullopt (after printing why) on bad usage.
std::optional<ImportArgs> parse_args(const Args& args) {
    ImportArgs a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--snapshot")
            a.snapshot = true;
        else if (arg == "--changes")
            a.changes = true;
        else if (arg == "--apply")
            a.apply = true;
        else if (arg == "--force")
            a.force = true;
        else if (arg == "--json")
            a.json = true;
        else if (arg == "--source-dir" && i + 1 < args.size())
            a.source_dir = args[++i];
        else if (arg.rfind("--source-dir=", 0) == 0)
            a.source_dir = arg.substr(13);
        else {
            usage_error("import", "unknown argument \"" + arg + "\"");
            return std::nullopt;
        }
    }
    if (!a.snapshot && !a.changes) {
        usage_error("import", "say --snapshot, --changes or both");
        return std::nullopt;
    }
    return a;
}

awaitable<int> run_import(const config::Config& cfg, const ImportArgs& a, ingest::Counts& total) {
    auto ex = co_await boost::asio::this_coro::executor;
    db::Connection conn(ex);
    db::ConnectOptions connect = connect_options(cfg);
    co_await conn.connect(std::move(connect));

    std::optional<std::string> refused;  // no schema yet, or another tool's
    try {
        co_await db::require_fleetfuel_schema(conn);
    } catch (const db::MigrateError& e) {
        refused = e.what();
    }
    if (refused) {
        spdlog::error("import: {}", *refused);
        co_return kExitFailed;
    }
    if (!co_await db::acquire_writer_lock(conn, cfg.writer_lock_wait)) {
        spdlog::error("import: another FleetFuel process holds the writer lock (waited {} ms)",
                      cfg.writer_lock_wait.count());
        co_return kExitLocked;
    }
    // --source-dir wins over FUEL_SOURCE_DIR; without either, the S3 bucket.
    auto store = make_object_store(ex, cfg, !a.source_dir.empty() ? a.source_dir : cfg.source_dir);
    spdlog::info("import: {} from {}", a.apply ? "applying" : "dry run", store->describe());

    ingest::IngestOptions options;
    options.prefix = cfg.prefix;
    options.max_delete_fraction = cfg.max_delete_fraction;
    options.force = a.force;
    options.dry_run = !a.apply;

    if (a.snapshot) {
        auto r = co_await ingest::run_snapshot(conn, *store, options);
        total += r.counts;
        if (r.not_modified)
            spdlog::info("import: snapshot unchanged since the last apply (same ETag)");
        if (r.file_error) {
            spdlog::error("import: {}", r.message);
            co_return kExitFailed;
        }
        if (r.refused != ingest::Refusal::none) {
            spdlog::error("import: {} (use --force to apply it anyway)", r.message);
            co_return kExitRefused;
        }
        if (r.forced) spdlog::warn("import: {}; applied because of --force", r.message);
    }
    if (a.changes) {
        auto r = co_await ingest::run_changes(conn, *store, options);
        total += r.counts;
        if (r.late_files > 0) {
            spdlog::info(
                "import: {} change file(s) landed late: their keys sort at or below {}, "
                "where the daemon's polls list from; its full listing finds them too",
                r.late_files, r.listing_start);
        }
    }
    co_return kExitOk;
}

}  // namespace

int import(const config::Config& cfg, const Args& args) {
    auto parsed = parse_args(args);
    if (!parsed) return kExitUsage;
    const ImportArgs a = *parsed;
    // Without a local directory, the S3 settings must be complete (a ConfigError: exit 2).
    if (a.source_dir.empty()) config::require_object_store(cfg);

    boost::asio::io_context io;
    int exit_code = kExitFailed;
    ingest::Counts total;
    boost::asio::co_spawn(io, run_import(cfg, a, total), [&](std::exception_ptr e, int code) {
        if (!e) {
            exit_code = code;
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::string text = secrets::scrub(ex.what());
            for (char& ch : text)
                if (ch == '\n' || ch == '\r') ch = ' ';
            spdlog::error("import: failed: {}", text);
        }
    });
    io.run();

    spdlog::info("import: {}{}",
                 a.apply ? "" : "dry run, nothing written: ", ingest::summary(total));
    if (a.json) std::cout << ingest::to_json(total) << std::endl;
    return exit_code;
}

}  // namespace ff::cmd
