// The change-file ledger and the watermark (change_ledger.hpp).
#include "ingest/change_ledger.hpp"

#include <vector>

#include "core/time_format.hpp"
#include "db/connection.hpp"
#include "ingest/change_keys.hpp"
#include "ingest/ingest_db.hpp"

namespace ff::ingest::detail {

using boost::asio::awaitable;

awaitable<LedgerPage> ledger_page(db::Connection& db, std::span<const s3::ObjectInfo> page) {
    LedgerPage out;
    if (page.empty()) co_return out;
    std::vector<std::string_view> keys;
    keys.reserve(page.size());
    for (const auto& obj : page) keys.push_back(obj.key);
    db::Params params{text_array(keys)};
    auto rows = co_await db.exec(
        "SELECT key, etag, status FROM fuel.change_files WHERE key = ANY($1::text[])",
        std::move(params));
    for (int i = 0; i < rows.rows(); ++i) {
        out.emplace(std::string(rows.get(i, 0)),
                    LedgerEntry{std::string(rows.get(i, 1)), std::string(rows.get(i, 2))});
    }
    co_return out;
}

// Walks the ledger down from the watermark, newest first, counting change files only: strays
// recorded there (and a watermark an older release set to one) never decide where listing starts.
awaitable<ListingStart> listing_start(db::Connection& db, std::string_view prefix,
                                      std::size_t overlap) {
    ListingStart out;
    auto state =
        co_await db.exec("SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'");
    if (state.rows() == 0 || state.is_null(0, 0)) co_return out;  // nothing yet: list everything
    out.watermark = std::string(state.get(0, 0));
    constexpr int batch = 500;
    std::string below = *out.watermark;
    bool inclusive = true;
    std::size_t seen = 0;
    for (;;) {
        db::Params params{below, std::to_string(batch)};
        auto rows = co_await db.exec(
            inclusive ? "SELECT key FROM fuel.change_files WHERE key <= $1 ORDER BY key DESC "
                        "LIMIT $2::int"
                      : "SELECT key FROM fuel.change_files WHERE key < $1 ORDER BY key DESC "
                        "LIMIT $2::int",
            std::move(params));
        for (int i = 0; i < rows.rows(); ++i) {
            if (!is_change_file(rows.get(i, 0), prefix)) continue;
            if (++seen == overlap + 1) {
                out.start_after = std::string(rows.get(i, 0));
                co_return out;
            }
        }
        if (rows.rows() < batch) co_return out;  // fewer files than that: list from the first
        below = std::string(rows.get(rows.rows() - 1, 0));
        inclusive = false;
    }
}

awaitable<void> record_file(db::Connection& db, const s3::ObjectInfo& obj, const std::string& etag,
                            const Counts& c, const std::string& reason) {
    const bool applied = reason.empty();
    db::Params params{obj.key,
                      etag,
                      applied ? "applied" : "quarantined",
                      time::rfc3339_millis(obj.last_modified),
                      std::to_string(obj.size),
                      std::to_string(c.rows_read),
                      std::to_string(c.inserted),
                      std::to_string(c.updated),
                      std::to_string(c.soft_deleted),
                      std::to_string(c.undeleted),
                      std::to_string(c.unchanged),
                      std::to_string(c.stale),
                      std::to_string(c.rejected),
                      clean_text(reason, 4096)};
    co_await db.exec(
        "WITH l AS ("
        "  INSERT INTO fuel.change_files (key, etag, status, processed_at, last_modified, "
        "    size_bytes, rows_read, inserted, updated, soft_deleted, undeleted, unchanged, stale, "
        "    rejected, reason) "
        "  VALUES ($1, $2, $3, now(), $4::timestamptz, $5::bigint, $6::int, $7::int, $8::int, "
        "    $9::int, $10::int, $11::int, $12::int, $13::int, NULLIF($14, '')) "
        "  ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, status = EXCLUDED.status, "
        "    processed_at = now(), last_modified = EXCLUDED.last_modified, "
        "    size_bytes = EXCLUDED.size_bytes, rows_read = EXCLUDED.rows_read, "
        "    inserted = EXCLUDED.inserted, updated = EXCLUDED.updated, "
        "    soft_deleted = EXCLUDED.soft_deleted, undeleted = EXCLUDED.undeleted, "
        "    unchanged = EXCLUDED.unchanged, stale = EXCLUDED.stale, rejected = EXCLUDED.rejected, "
        "    reason = EXCLUDED.reason"
        "), r AS ("
        "  INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
        "  SELECT 'changes', $1, $2, 'file', $14 WHERE $3 = 'quarantined'"
        ") "
        "UPDATE fuel.ingest_state SET "
        "  watermark = CASE WHEN watermark IS NULL OR watermark COLLATE \"C\" < $1 COLLATE \"C\" "
        "                   THEN $1 ELSE watermark END, "
        "  last_success_at = CASE WHEN $3 = 'applied' THEN now() ELSE last_success_at END, "
        "  last_attempt_at = now(), updated_at = now() "
        "WHERE stream = 'changes'",
        std::move(params));
}

awaitable<void> record_stray(db::Connection& db, const s3::ObjectInfo& obj,
                             const std::string& reason) {
    db::Params params{obj.key, obj.etag, time::rfc3339_millis(obj.last_modified),
                      std::to_string(obj.size), clean_text(reason, 4096)};
    co_await db.exec(
        "WITH l AS ("
        "  INSERT INTO fuel.change_files (key, etag, status, processed_at, last_modified, "
        "    size_bytes, reason) "
        "  VALUES ($1, $2, 'quarantined', now(), $3::timestamptz, $4::bigint, $5) "
        "  ON CONFLICT (key) DO NOTHING RETURNING key"
        ") "
        "INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
        "SELECT 'changes', $1, $2, 'file', $5 FROM l",
        std::move(params));
}

awaitable<std::optional<std::string>> report_etag_change(db::Connection& db,
                                                         const s3::ObjectInfo& obj,
                                                         const std::string& applied_etag) {
    db::Params params{
        obj.key, obj.etag,
        "already applied with ETag " + applied_etag + "; the new content is not applied"};
    auto res = co_await db.exec(
        "INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
        "SELECT 'changes', $1, $2, 'etag_changed', $3 WHERE NOT EXISTS ("
        "  SELECT 1 FROM fuel.rejects WHERE kind = 'etag_changed' AND object_key = $1 AND etag = "
        "$2)",
        std::move(params));
    if (res.affected_rows() == 0) co_return std::nullopt;
    co_return obj.key + " was already applied (ETag " + applied_etag +
        ") and reappeared with ETag " + obj.etag + ": not reapplied";
}

awaitable<void> settle_watermark(db::Connection& db, const ListingStart& start,
                                 std::string_view prefix, const std::string& top) {
    const auto& current = start.watermark;
    const bool behind_or_stray = !current || !is_change_file(*current, prefix) || *current < top;
    if (!behind_or_stray) co_return;
    db::Params params{top};
    co_await db.exec(
        "UPDATE fuel.ingest_state SET watermark = $1, updated_at = now() "
        "WHERE stream = 'changes' AND watermark IS DISTINCT FROM $1",
        std::move(params));
}

}  // namespace ff::ingest::detail
