// fleetfuel migrate [--adopt-existing] [--allow-downgrade]: connects, takes the writer lock,
// applies the embedded sql/ migrations (after moving a foreign fuel schema aside when asked) and
// this binary's normalisation rules with every stored row, logs what ran; exit 0, 1, 3 or 4.
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <string>

#include "commands.hpp"
#include "core/exit_codes.hpp"
#include "core/secrets.hpp"
#include "db/connection.hpp"
#include "db/migrate.hpp"
#include "options.hpp"

namespace ff::cmd {
namespace {

struct MigrateArgs {
    bool adopt_existing = false;
    bool allow_downgrade = false;
};

boost::asio::awaitable<db::MigrateReport> connect_and_migrate(const config::Config& cfg,
                                                              MigrateArgs args) {
    db::Connection conn(co_await boost::asio::this_coro::executor);
    db::ConnectOptions options = connect_options(cfg);
    co_await conn.connect(std::move(options));
    spdlog::info("migrate: connected to {}", conn.describe());
    db::MigrateOptions migrate_options;
    migrate_options.lock_timeout = cfg.db_lock_timeout;
    migrate_options.reader_role = cfg.reader_role;
    migrate_options.adopt_existing = args.adopt_existing;
    migrate_options.allow_downgrade = args.allow_downgrade;
    migrate_options.writer_lock_wait = cfg.writer_lock_wait;
    co_return co_await db::migrate(conn, migrate_options);
}

// Errors are printed on one line, with every registered secret masked.
std::string one_line(std::string text) {
    for (char& ch : text)
        if (ch == '\n' || ch == '\r') ch = ' ';
    return secrets::scrub(text);
}

// The exit code for a failed migrate, after logging why.
int failed(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const db::WriterLockBusy& ex) {
        spdlog::error("migrate: {}", one_line(ex.what()));
        return kExitLocked;
    } catch (const db::RulesNewerError& ex) {
        spdlog::error("migrate: refused: {}", one_line(ex.what()));
        return kExitRefused;
    } catch (const std::exception& ex) {
        spdlog::error("migrate: failed: {}", one_line(ex.what()));
    }
    return kExitFailed;
}

void log_report(const db::MigrateReport& report, const MigrateArgs& args) {
    if (report.adopted) {
        for (const auto& line : report.adopted->moved) spdlog::info("migrate: moved {}", line);
        for (const auto& line : report.adopted->warnings)
            spdlog::warn(
                "migrate: {} names fuel objects in its text; it now reaches FleetFuel's, check it "
                "by hand",
                line);
    } else if (args.adopt_existing) {
        spdlog::info("migrate: nothing to adopt: no foreign fuel schema or reporting views");
    }
    for (const auto& name : report.applied) spdlog::info("migrate: applied sql/{}", name);
    if (report.rules) {
        const auto& r = *report.rules;
        spdlog::info(
            "migrate: normalisation rules {} -> {} ({}): {} stored rows normalised again, {} "
            "changed, in {} ms",
            r.from ? db::to_string(*r.from) : "(none)", db::to_string(r.to), r.action, r.rows,
            r.changed, r.took.count());
    } else {
        spdlog::info("migrate: normalisation rules {} in force, this binary's",
                     db::to_string(db::build_rules()));
    }
    spdlog::info("migrate: done, {} applied, {} already current", report.applied.size(),
                 report.already_current);
}

}  // namespace

int migrate(const config::Config& cfg, const Args& args) {
    MigrateArgs parsed;
    for (const auto& arg : args) {
        if (arg == "--adopt-existing")
            parsed.adopt_existing = true;
        else if (arg == "--allow-downgrade")
            parsed.allow_downgrade = true;
        else
            return usage_error("migrate", "unknown argument \"" + arg + "\"");
    }
    boost::asio::io_context io;
    int exit_code = kExitFailed;
    boost::asio::co_spawn(io, connect_and_migrate(cfg, parsed),
                          [&](std::exception_ptr e, db::MigrateReport report) {
                              if (e) {
                                  exit_code = failed(e);
                                  return;
                              }
                              log_report(report, parsed);
                              exit_code = kExitOk;
                          });
    io.run();
    return exit_code;
}

}  // namespace ff::cmd
