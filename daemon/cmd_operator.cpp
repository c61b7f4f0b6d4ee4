// fleetfuel rejects | requeue | reset-watermark | verify: what an operator needs to see, check and
// undo after a bad export. requeue and reset-watermark are dry runs unless --apply; rejects and
// verify only read.
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "commands.hpp"
#include "core/exit_codes.hpp"
#include "core/json_escape.hpp"
#include "core/secrets.hpp"
#include "db/advisory_lock.hpp"
#include "db/connection.hpp"
#include "db/schema_state.hpp"
#include "ingest/change_keys.hpp"
#include "ingest/ingest.hpp"
#include "ingest/operator.hpp"
#include "ingest/pg_storage.hpp"
#include "ingest/verify.hpp"
#include "options.hpp"

namespace ff::cmd {
namespace {

using boost::asio::awaitable;
using Body = std::function<awaitable<int>(db::Connection&)>;

// Connects, checks the schema, optionally takes the writer lock, runs `body`; returns its code.
int with_database(const config::Config& cfg, const char* name, bool writer, Body body) {
    boost::asio::io_context io;
    int exit_code = kExitFailed;
    auto task = [&]() -> awaitable<int> {
        db::Connection conn(co_await boost::asio::this_coro::executor);
        db::ConnectOptions connect = connect_options(cfg);
        co_await conn.connect(std::move(connect));
        std::optional<std::string> refused;  // no schema yet, or another tool's
        try {
            co_await db::require_fleetfuel_schema(conn);
        } catch (const db::MigrateError& e) {
            refused = e.what();
        }
        if (refused) {
            spdlog::error("{}: {}", name, *refused);
            co_return kExitFailed;
        }
        if (writer && !co_await db::acquire_writer_lock(conn, cfg.writer_lock_wait)) {
            spdlog::error("{}: another FleetFuel process holds the writer lock", name);
            co_return kExitLocked;
        }
        co_return co_await body(conn);
    };
    boost::asio::co_spawn(io, task(), [&](std::exception_ptr e, int code) {
        if (!e) {
            exit_code = code;
            return;
        }
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("{}: failed: {}", name, secrets::scrub(ex.what()));
        }
    });
    io.run();
    return exit_code;
}

std::string json_opt(const std::optional<std::string>& v) {
    return v ? json::quote(*v) : "null";
}

}  // namespace

int rejects(const config::Config& cfg, const Args& args) {
    bool as_json = false;
    long long limit = 50;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") {
            as_json = true;
        } else if (args[i] == "--limit" && i + 1 < args.size()) {
            try {
                limit = std::stoll(args[++i]);
            } catch (const std::exception&) {
                limit = -1;
            }
            if (limit < 0) {
                return usage_error("rejects", "--limit takes a number");
            }
        } else {
            return usage_error("rejects", "unknown argument \"" + args[i] + "\"");
        }
    }
    return with_database(cfg, "rejects", false, [&](db::Connection& db) -> awaitable<int> {
        ingest::PgStorage storage(db);
        const auto files = co_await storage.quarantined_files();
        const auto rows = co_await storage.recent_rejects(limit);
        if (as_json) {
            std::string out = "{\"quarantined\":[";
            for (std::size_t i = 0; i < files.size(); ++i) {
                const auto& f = files[i];
                out += i ? "," : "";
                out += "{\"key\":" + json::quote(f.key) + ",\"etag\":" + json::quote(f.etag) +
                       ",\"at\":" + json::quote(f.processed_at) +
                       ",\"reason\":" + json_opt(f.reason) + "}";
            }
            out += "],\"rejects\":[";
            for (std::size_t i = 0; i < rows.size(); ++i) {
                const auto& r = rows[i];
                out += i ? "," : "";
                out += "{\"at\":" + json::quote(r.at) + ",\"stream\":" + json::quote(r.stream) +
                       ",\"object_key\":" + json_opt(r.object_key) +
                       ",\"kind\":" + json::quote(r.kind) +
                       ",\"record_id\":" + (r.record_id ? std::to_string(*r.record_id) : "null") +
                       ",\"reason\":" + json::quote(r.reason) + "}";
            }
            out += "]}";
            std::cout << out << std::endl;
            co_return kExitOk;
        }
        std::cout << "Quarantined change files: " << files.size() << "\n";
        for (const auto& f : files) {
            std::cout << "  " << f.key << "  etag " << f.etag << "  " << f.processed_at << "  "
                      << f.reason.value_or("") << "\n";
        }
        std::cout << "Recent rejects (newest first, at most " << limit << "):\n";
        for (const auto& r : rows) {
            std::cout << "  " << r.at << "  " << r.stream << "  " << r.kind << "  "
                      << r.object_key.value_or("")
                      << (r.record_id ? "  id " + std::to_string(*r.record_id) : "") << "  "
                      << r.reason << "\n";
        }
        co_return kExitOk;
    });
}

int requeue(const config::Config& cfg, const Args& args) {
    std::string key;
    bool apply = false;
    for (const auto& arg : args) {
        if (arg == "--apply")
            apply = true;
        else if (key.empty() && arg.rfind("--", 0) != 0)
            key = arg;
        else
            return usage_error("requeue", "unexpected argument \"" + arg + "\"");
    }
    if (key.empty()) return usage_error("requeue", "say which KEY");
    return with_database(cfg, "requeue", apply, [&](db::Connection& db) -> awaitable<int> {
        ingest::PgStorage storage(db);
        const auto r = co_await ingest::requeue(storage, cfg.prefix, key, apply);
        switch (r.verdict) {
            case ingest::RequeueVerdict::not_in_ledger:
                spdlog::error("requeue: {} is not in the change-file ledger", r.key);
                co_return kExitFailed;
            case ingest::RequeueVerdict::not_a_change_file:
                spdlog::error(
                    "requeue: {} is not a change file (its name is outside the naming "
                    "format): it is never applied, so there is nothing to retry",
                    r.key);
                co_return kExitFailed;
            case ingest::RequeueVerdict::applied:
                spdlog::error(
                    "requeue: {} was applied, not quarantined: applied files are never reapplied",
                    r.key);
                co_return kExitFailed;
            case ingest::RequeueVerdict::would_requeue:
                std::cout << "would requeue " << r.key << " (dry run; add --apply)\n";
                co_return kExitOk;
            case ingest::RequeueVerdict::requeued:
                break;
        }
        std::cout << "requeued " << r.key
                  << ": the daemon retries it within SNAPSHOT_INTERVAL (its next full listing), "
                     "`fleetfuel import --changes --apply` at once\n";
        co_return kExitOk;
    });
}

int reset_watermark(const config::Config& cfg, const Args& args) {
    std::optional<std::string> to;
    bool apply = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--apply")
            apply = true;
        else if (args[i] == "--to" && i + 1 < args.size() && !args[i + 1].empty())
            to = ingest::full_change_key(cfg.prefix, args[++i]);
        else
            return usage_error("reset-watermark", "unexpected argument \"" + args[i] + "\"");
    }
    if (to && !ingest::is_change_file(*to, cfg.prefix)) {
        return usage_error("reset-watermark",
                           "--to " + *to +
                               " is not a change file's key (<prefix>changes/ and a name "
                               "starting with a UTC date and time, ending in .json)");
    }
    return with_database(cfg, "reset-watermark", apply, [&](db::Connection& db) -> awaitable<int> {
        ingest::PgStorage storage(db);
        ingest::IngestOptions options;
        options.prefix = cfg.prefix;
        const auto move = co_await ingest::reset_watermark(storage, options, to, apply);
        std::cout << "changes watermark: " << move.from.value_or("(none)") << " -> "
                  << move.to.value_or("(none)");
        if (!move.applied) {
            std::cout << " (dry run; add --apply)\n";
            co_return kExitOk;
        }
        std::cout << "; the next poll lists after "
                  << (move.next_listing_after.empty() ? "(the first key)" : move.next_listing_after)
                  << "\n";
        co_return kExitOk;
    });
}

int verify(const config::Config& cfg, const Args& args) {
    bool as_json = false;
    std::string source_dir = cfg.source_dir;
    ingest::VerifyOptions options;
    options.prefix = cfg.prefix;
    options.pending_grace = cfg.snapshot_interval + cfg.changes_interval;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--json") {
            as_json = true;
        } else if (args[i] == "--source-dir" && i + 1 < args.size()) {
            source_dir = args[++i];
        } else if (args[i] == "--limit" && i + 1 < args.size()) {
            try {
                const long long n = std::stoll(args[++i]);
                if (n < 1) throw std::out_of_range("limit");
                options.limit = static_cast<std::size_t>(n);
            } catch (const std::exception&) {
                return usage_error("verify", "--limit takes a number of at least 1");
            }
        } else {
            return usage_error("verify", "unknown argument \"" + args[i] + "\"");
        }
    }
    // The bucket is listed when there is one to list: a directory, or a complete S3 setting.
    const bool bucket = !source_dir.empty() || !cfg.rustfs_endpoint.empty();
    if (source_dir.empty() && bucket) config::require_object_store(cfg);
    return with_database(cfg, "verify", false, [&](db::Connection& db) -> awaitable<int> {
        std::unique_ptr<s3::ObjectStore> store;
        if (bucket)
            store = make_object_store(co_await boost::asio::this_coro::executor, cfg, source_dir);
        const auto result = co_await ingest::verify(db, store.get(), options);
        std::cout << (as_json ? ingest::to_json(result, FF_VERSION) + "\n"
                              : ingest::to_text(result))
                  << std::flush;
        co_return result.ok() ? kExitOk : kExitFailed;
    });
}

}  // namespace ff::cmd
