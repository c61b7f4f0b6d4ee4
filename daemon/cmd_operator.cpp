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

// The full change-file key for KEY as listed by `fleetfuel rejects`, or relative to the prefix
// or to <prefix>changes/: a watermark outside <prefix>changes/ would silently mean "list from the
// beginning" (or skip everything), never what the operator asked for.
std::string full_change_key(const config::Config& cfg, const std::string& key) {
    if (key.rfind(cfg.prefix, 0) == 0) return key;
    if (key.rfind("changes/", 0) == 0) return cfg.prefix + key;
    return cfg.prefix + "changes/" + key;
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
        auto files = co_await db.exec(
            "SELECT key, etag, processed_at::text, reason FROM fuel.change_files "
            "WHERE status = 'quarantined' ORDER BY key");
        db::Params params{std::to_string(limit)};
        auto rows = co_await db.exec(
            "SELECT at::text, stream, object_key, kind, record_id::text, reason "
            "FROM fuel.rejects ORDER BY reject_id DESC LIMIT $1::bigint",
            std::move(params));
        if (as_json) {
            std::string out = "{\"quarantined\":[";
            for (int i = 0; i < files.rows(); ++i) {
                out += i ? "," : "";
                out += "{\"key\":" + json::quote(files.get(i, 0)) +
                       ",\"etag\":" + json::quote(files.get(i, 1)) +
                       ",\"at\":" + json::quote(files.get(i, 2)) +
                       ",\"reason\":" + json_opt(files.get_opt(i, 3)) + "}";
            }
            out += "],\"rejects\":[";
            for (int i = 0; i < rows.rows(); ++i) {
                out += i ? "," : "";
                out += "{\"at\":" + json::quote(rows.get(i, 0)) +
                       ",\"stream\":" + json::quote(rows.get(i, 1)) +
                       ",\"object_key\":" + json_opt(rows.get_opt(i, 2)) +
                       ",\"kind\":" + json::quote(rows.get(i, 3)) + ",\"record_id\":" +
                       (rows.is_null(i, 4) ? "null" : std::string(rows.get(i, 4))) +
                       ",\"reason\":" + json::quote(rows.get(i, 5)) + "}";
            }
            out += "]}";
            std::cout << out << std::endl;
            co_return kExitOk;
        }
        std::cout << "Quarantined change files: " << files.rows() << "\n";
        for (int i = 0; i < files.rows(); ++i) {
            std::cout << "  " << files.get(i, 0) << "  etag " << files.get(i, 1) << "  "
                      << files.get(i, 2) << "  " << files.get(i, 3) << "\n";
        }
        std::cout << "Recent rejects (newest first, at most " << limit << "):\n";
        for (int i = 0; i < rows.rows(); ++i) {
            std::cout << "  " << rows.get(i, 0) << "  " << rows.get(i, 1) << "  " << rows.get(i, 3)
                      << "  " << rows.get(i, 2) << (rows.is_null(i, 4) ? "" : "  id ")
                      << rows.get(i, 4) << "  " << rows.get(i, 5) << "\n";
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
        // KEY as listed by `fleetfuel rejects`, or relative to the prefix or to <prefix>changes/.
        db::Params find{key, cfg.prefix + key, cfg.prefix + "changes/" + key};
        auto row = co_await db.exec(
            "SELECT key, status FROM fuel.change_files WHERE key IN ($1, $2, $3) "
            "ORDER BY key = $1 DESC, key = $2 DESC",
            std::move(find));
        if (row.rows() == 0) {
            spdlog::error("requeue: {} is not in the change-file ledger", key);
            co_return kExitFailed;
        }
        const std::string full(row.get(0, 0));
        if (!ingest::is_change_file(full, cfg.prefix)) {
            spdlog::error(
                "requeue: {} is not a change file (its name is outside the naming "
                "format): it is never applied, so there is nothing to retry",
                full);
            co_return kExitFailed;
        }
        if (row.get(0, 1) != "quarantined") {
            spdlog::error(
                "requeue: {} was applied, not quarantined: applied files are never reapplied",
                full);
            co_return kExitFailed;
        }
        if (!apply) {
            std::cout << "would requeue " << full << " (dry run; add --apply)\n";
            co_return kExitOk;
        }
        // Rather than deleting the ledger row, its ETag is cleared: no ETag matches it then, so
        // the next listing that sees the file retries it.
        db::Params params{full};
        co_await db.exec(
            "UPDATE fuel.change_files SET etag = '', processed_at = now(), "
            "reason = 'requeued by operator' WHERE key = $1",
            std::move(params));
        std::cout << "requeued " << full
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
            to = full_change_key(cfg, args[++i]);
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
        auto cur =
            co_await db.exec("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'");
        const std::string current =
            cur.rows() && !cur.is_null(0, 0) ? std::string(cur.get(0, 0)) : "(none)";
        const std::string next = to.value_or("(none)");
        if (!apply) {
            std::cout << "changes watermark: " << current << " -> " << next
                      << " (dry run; add --apply)\n";
            co_return kExitOk;
        }
        db::Params params{to};
        co_await db.exec(
            "UPDATE fuel.ingest_state SET watermark = $1, updated_at = now() WHERE stream = "
            "'changes'",
            std::move(params));
        ingest::IngestOptions options;
        options.prefix = cfg.prefix;
        const std::string start = co_await ingest::recent_listing_start(db, options);
        std::cout << "changes watermark: " << current << " -> " << next
                  << "; the next poll lists after " << (start.empty() ? "(the first key)" : start)
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
