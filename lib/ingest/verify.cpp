// verify: runs the checks in one read-only transaction and renders the verdict as text or JSON.
#include "ingest/verify.hpp"

#include "core/json_escape.hpp"
#include "db/connection.hpp"
#include "ingest/ingest_db.hpp"
#include "ingest/transaction.hpp"

namespace ff::ingest {

bool VerifyResult::ok() const {
    for (const auto& check : checks)
        if (!check.ok()) return false;
    return true;
}

boost::asio::awaitable<VerifyResult> verify(db::Connection& db, s3::ObjectStore* store,
                                            const VerifyOptions& options) {
    VerifyResult result;
    // One snapshot for every check; READ ONLY makes the server refuse any write, whatever a
    // function called here might try.
    co_await db.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    auto checks = [&]() -> boost::asio::awaitable<void> {
        result.checks.push_back(co_await detail::verify_rules(db, options));
        result.checks.push_back(co_await detail::verify_typed_columns(db, options));
        result.checks.push_back(co_await detail::verify_change_files(db, store, options));
        result.checks.push_back(co_await detail::verify_watermark(db, options));
    };
    auto end = [&] { return detail::rollback_quietly(db); };
    co_await on_failure(checks, end);
    co_await end();
    co_return result;
}

namespace {

std::string shown(const std::optional<std::string>& value) {
    return value ? json::quote(*value) : "(none)";
}

std::string json_opt(const std::optional<std::string>& value) {
    return value ? json::quote(*value) : "null";
}

}  // namespace

std::string to_text(const VerifyResult& result) {
    std::string out;
    for (const auto& check : result.checks) {
        out += check.name + ": " + check.summary + "\n";
        for (const auto& d : check.differences) {
            out += "  " + d.id + "  " + d.column + ": stored " + shown(d.stored) + ", expected " +
                   shown(d.expected) + "\n";
        }
        if (check.differing > static_cast<long long>(check.differences.size()))
            out += "  ... and more (" + std::to_string(check.differing) + " in all; --limit N)\n";
        for (const auto& note : check.notes) out += "  note: " + note + "\n";
    }
    out += result.ok() ? "verify: everything agrees\n" : "verify: differences found\n";
    return out;
}

std::string to_json(const VerifyResult& result, std::string_view version) {
    std::string out = "{\"ok\":";
    out += result.ok() ? "true" : "false";
    out += ",\"version\":" + json::quote(version) + ",\"checks\":[";
    for (std::size_t i = 0; i < result.checks.size(); ++i) {
        const auto& check = result.checks[i];
        out += i ? ",{" : "{";
        out += "\"check\":" + json::quote(check.name);
        out += ",\"ok\":" + std::string(check.ok() ? "true" : "false");
        out += ",\"differing\":" + std::to_string(check.differing);
        for (const auto& [name, value] : check.facts) out += "," + json::quote(name) + ":" + value;
        out += ",\"differences\":[";
        for (std::size_t k = 0; k < check.differences.size(); ++k) {
            const auto& d = check.differences[k];
            out += k ? ",{" : "{";
            out += "\"id\":" + (check.numeric_ids ? d.id : json::quote(d.id)) +
                   ",\"column\":" + json::quote(d.column) + ",\"stored\":" + json_opt(d.stored) +
                   ",\"expected\":" + json_opt(d.expected) + "}";
        }
        out += "],\"notes\":[";
        for (std::size_t k = 0; k < check.notes.size(); ++k)
            out += (k ? "," : "") + json::quote(check.notes[k]);
        out += "],\"summary\":" + json::quote(check.summary) + "}";
    }
    out += "]}";
    return out;
}

}  // namespace ff::ingest
