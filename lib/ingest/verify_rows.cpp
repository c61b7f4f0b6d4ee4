// verify's first check: every stored row's typed columns against fuel.normalise(raw), compared by
// the database in id batches; only the rows that differ come back.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

#include "db/connection.hpp"
#include "ingest/verify.hpp"
#include "parse/typed_columns.hpp"

namespace ff::ingest::detail {
namespace {

using boost::asio::awaitable;
constexpr auto& kColumns = parse::typed_column_set;

// The statement that returns, for the rows with id in ($1, $2], those whose typed columns differ
// from fuel.normalise(raw): id, then stored and expected text of every column, then how many
// rows of the batch differ (before LIMIT $3).
std::string differing_rows_sql() {
    std::string pairs, stored, expected;
    // Numerics are compared as text, so a different scale (45.5 against 45.50) is a difference:
    // readers show what is stored.
    for (const auto& [column, type] : kColumns) {
        const char* cast = parse::compared_as_text(type) ? "::text" : "";
        fmt::format_to(std::back_inserter(pairs), ", r.{0}::text, n.{0}::text", column);
        fmt::format_to(std::back_inserter(stored), "{}r.{}{}", stored.empty() ? "" : ", ", column,
                       cast);
        fmt::format_to(std::back_inserter(expected), "{}n.{}{}", expected.empty() ? "" : ", ",
                       column, cast);
    }
    return "SELECT r.id" + pairs +
           ", count(*) OVER () FROM fuel.records r CROSS JOIN LATERAL fuel.normalise(r.raw) n "
           "WHERE r.id > $1::bigint AND r.id <= $2::bigint AND ROW(" +
           stored + ") IS DISTINCT FROM ROW(" + expected + ") ORDER BY r.id LIMIT $3::bigint";
}

// The next batch: the greatest of the next `batch` ids after `after`, and how many there are.
awaitable<std::pair<std::string, long long>> next_batch(db::Connection& db,
                                                        const std::string& after,
                                                        std::size_t batch) {
    db::Params params{after, std::to_string(batch)};
    auto res = co_await db.exec(
        "SELECT max(id), count(*) FROM (SELECT id FROM fuel.records WHERE id > $1::bigint "
        "ORDER BY id LIMIT $2::bigint) b",
        std::move(params));
    co_return std::pair{std::string(res.get(0, 0)), res.get_int(0, 1)};
}

}  // namespace

awaitable<CheckResult> verify_typed_columns(db::Connection& db, const VerifyOptions& options) {
    CheckResult check;
    check.name = "typed_columns";
    check.numeric_ids = true;
    const std::string sql = differing_rows_sql();
    std::string after = std::to_string(std::numeric_limits<long long>::min());
    long long rows = 0;
    auto last_progress = std::chrono::steady_clock::now();
    for (;;) {
        auto [upper, n] = co_await next_batch(db, after, options.batch_rows);
        if (n == 0) break;
        const std::size_t room = options.limit - std::min(options.limit, check.differences.size());
        db::Params params{after, upper, std::to_string(std::max<std::size_t>(room, 1))};
        auto res = co_await db.exec(sql, std::move(params));
        if (res.rows() > 0) check.differing += res.get_int(0, 1 + 2 * kColumns.size());
        for (int i = 0; i < res.rows(); ++i) {
            for (std::size_t c = 0; c < kColumns.size(); ++c) {
                auto stored = res.get_opt(i, static_cast<int>(1 + 2 * c));
                auto expected = res.get_opt(i, static_cast<int>(2 + 2 * c));
                if (stored == expected || check.differences.size() >= options.limit) continue;
                check.differences.push_back({std::string(res.get(i, 0)),
                                             std::string(kColumns[c].name), std::move(stored),
                                             std::move(expected)});
            }
        }
        rows += n;
        after = upper;
        if (std::chrono::steady_clock::now() - last_progress > std::chrono::seconds(10)) {
            spdlog::info("verify: {} rows compared so far", rows);
            last_progress = std::chrono::steady_clock::now();
        }
    }
    check.summary =
        check.differing == 0
            ? fmt::format("{} rows; every typed column equals fuel.normalise(raw)", rows)
            : fmt::format("{} rows; {} differ from fuel.normalise(raw)", rows, check.differing);
    check.facts = {{"rows", std::to_string(rows)}};
    co_return check;
}

}  // namespace ff::ingest::detail
