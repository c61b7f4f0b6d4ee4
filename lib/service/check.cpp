// fleetfuel check: runs the groups of checks, each bounded in time, and renders the results.
#include "service/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>

#include "core/json_escape.hpp"
#include "core/secrets.hpp"
#include "service/check_run.hpp"

namespace ff::service {
namespace detail {

void CheckRun::ok(std::string detail, std::string hint) {
    results.push_back({next_name(), CheckStatus::ok, std::move(detail), std::move(hint)});
}

void CheckRun::failed(std::string detail, std::string hint) {
    results.push_back({next_name(), CheckStatus::failed, std::move(detail), std::move(hint)});
}

void CheckRun::skip_rest(const std::string& why) {
    while (results.size() < names.size())
        results.push_back({next_name(), CheckStatus::skipped, why, {}});
}

const std::string& CheckRun::next_name() const {
    static const std::string kNone = "?";
    return results.size() < names.size() ? names[results.size()] : kNone;
}

std::string seconds_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return fmt::format("{} s", d.count() / 1000);
    return fmt::format("{} ms", d.count());
}

std::string age_text(std::chrono::system_clock::time_point then) {
    const auto s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - then)
            .count();
    if (s < 0) return "in the future";
    if (s < 120) return fmt::format("{} s ago", s);
    if (s < 7200) return fmt::format("{} min ago", s / 60);
    if (s < 172800) return fmt::format("{} h {} min ago", s / 3600, s / 60 % 60);
    return fmt::format("{} days ago", s / 86400);
}

}  // namespace detail

namespace {

using detail::CheckRun;
using Body = boost::asio::awaitable<void> (*)(std::shared_ptr<CheckRun>, CheckOptions);

// Runs one group on its own io_context. Each window of one and a half `timeout` must produce a
// result; when one does not, the check in progress fails as timed out, the rest are skipped, and
// the io_context (with the stuck operation) is destroyed. The connect and read timeouts below are
// `timeout` itself, so their more precise errors normally arrive first; the window is the
// backstop for what has no timeout of its own (a DNS lookup, say).
std::vector<CheckResult> run_group(std::vector<std::string> names, Body body,
                                   const CheckOptions& options) {
    auto run = std::make_shared<CheckRun>();
    run->names = std::move(names);
    {
        boost::asio::io_context io;
        boost::asio::co_spawn(io, body(run, options), [run](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    run->failed(ex.what(), "an unexpected error; run with LOG_LEVEL=debug");
                }
                run->skip_rest("an earlier check failed");
            }
            run->done = true;
        });
        const auto window = options.timeout + options.timeout / 2;
        std::size_t seen = 0;
        while (!run->done) {
            io.run_for(window);
            if (run->done) break;
            if (run->results.size() == seen) {
                run->failed(
                    "no answer within " + detail::seconds_text(options.timeout),
                    "a firewall dropping packets, a wrong address or port, or a host that is "
                    "down; from inside the container, check the network it is attached to");
                run->skip_rest("an earlier check timed out");
                break;
            }
            seen = run->results.size();
        }
    }
    return std::move(run->results);
}

const char* status_text(CheckStatus s) {
    switch (s) {
        case CheckStatus::ok:
            return "ok";
        case CheckStatus::failed:
            return "failed";
        case CheckStatus::skipped:
            return "skipped";
    }
    return "?";
}

}  // namespace

std::vector<CheckResult> run_checks(const CheckOptions& options) {
    std::vector<CheckResult> results;
    const auto append = [&](std::vector<CheckResult> more) {
        for (auto& r : more) results.push_back(std::move(r));
    };
    append(run_group({"database", "schema", "writer lock"}, detail::database_checks, options));
    if (!options.source_dir.empty())
        append(run_group({"source dir", "latest.json", "change files"}, detail::store_checks,
                         options));
    else
        append(run_group(
            {"s3 endpoint", "tls", "s3 credentials", "bucket", "latest.json", "change files"},
            detail::store_checks, options));
    return results;
}

bool all_passed(const std::vector<CheckResult>& results) {
    return std::all_of(results.begin(), results.end(),
                       [](const CheckResult& r) { return r.status == CheckStatus::ok; });
}

std::string render_text(const std::vector<CheckResult>& results) {
    std::size_t width = 0;
    for (const auto& r : results) width = std::max(width, r.name.size());
    std::string out;
    for (const auto& r : results) {
        out += fmt::format("{:<8}{:<{}}  {}\n", status_text(r.status), r.name, width,
                           secrets::scrub(r.detail));
        if (!r.hint.empty())
            out += fmt::format("{:<8}{:<{}}  hint: {}\n", "", "", width, secrets::scrub(r.hint));
    }
    return out + (all_passed(results) ? "all checks passed\n" : "some checks did not pass\n");
}

std::string render_json(const std::vector<CheckResult>& results) {
    std::string out = fmt::format("{{\"ok\":{},\"checks\":[", all_passed(results));
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        out +=
            fmt::format("{}{{\"name\":{},\"status\":\"{}\",\"detail\":{},\"hint\":{}}}",
                        i ? "," : "", json::quote(r.name), status_text(r.status),
                        json::quote(secrets::scrub(r.detail)), json::quote(secrets::scrub(r.hint)));
    }
    return out + "]}\n";
}

}  // namespace ff::service
