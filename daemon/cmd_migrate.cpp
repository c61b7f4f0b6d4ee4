// fleetfuel migrate [--adopt-existing]: connects, applies the embedded sql/ migrations (after
// moving a foreign fuel schema aside when asked), logs what ran and what moved; exit 0 or 1.
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

boost::asio::awaitable<db::MigrateReport> connect_and_migrate(const config::Config& cfg,
                                                              bool adopt_existing) {
    db::Connection conn(co_await boost::asio::this_coro::executor);
    db::ConnectOptions options = connect_options(cfg);
    co_await conn.connect(std::move(options));
    spdlog::info("migrate: connected to {}", conn.describe());
    db::MigrateOptions migrate_options{cfg.db_lock_timeout, cfg.reader_role, adopt_existing};
    co_return co_await db::migrate(conn, migrate_options);
}

// Errors are printed on one line, with every registered secret masked.
std::string one_line(std::string text) {
    for (char& ch : text)
        if (ch == '\n' || ch == '\r') ch = ' ';
    return secrets::scrub(text);
}

}  // namespace

int migrate(const config::Config& cfg, const Args& args) {
    const bool adopt_existing = args.size() == 1 && args.front() == "--adopt-existing";
    if (!args.empty() && !adopt_existing)
        return usage_error("migrate", "unknown argument \"" + args.front() + "\"");
    boost::asio::io_context io;
    int exit_code = kExitFailed;
    boost::asio::co_spawn(io, connect_and_migrate(cfg, adopt_existing),
                          [&](std::exception_ptr e, db::MigrateReport report) {
                              if (e) {
                                  try {
                                      std::rethrow_exception(e);
                                  } catch (const std::exception& ex) {
                                      spdlog::error("migrate: failed: {}", one_line(ex.what()));
                                  }
                                  return;
                              }
                              if (report.adopted) {
                                  for (const auto& line : report.adopted->moved)
                                      spdlog::info("migrate: moved {}", line);
                                  for (const auto& line : report.adopted->warnings)
                                      spdlog::warn(
                                          "migrate: {} names fuel objects in its text; it now "
                                          "reaches FleetFuel's, check it by hand",
                                          line);
                              } else if (adopt_existing) {
                                  spdlog::info(
                                      "migrate: nothing to adopt: no foreign fuel "
                                      "schema or reporting views");
                              }
                              for (const auto& name : report.applied)
                                  spdlog::info("migrate: applied sql/{}", name);
                              spdlog::info("migrate: done, {} applied, {} already current",
                                           report.applied.size(), report.already_current);
                              exit_code = kExitOk;
                          });
    io.run();
    return exit_code;
}

}  // namespace ff::cmd
