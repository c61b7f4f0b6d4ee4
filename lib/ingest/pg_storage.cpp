// Every bookkeeping statement of the engine and of the operator commands, named, then the
// PgStorage members that run them (pg_storage.hpp).
#include "ingest/pg_storage.hpp"

#include "core/time_format.hpp"
#include "db/connection.hpp"
#include "ingest/ingest_db.hpp"

namespace ff::ingest {

namespace {

using boost::asio::awaitable;

// --- the changes stream: watermark and ledger ---------------------------------------------------

constexpr std::string_view kWatermark =
    "SELECT watermark FROM fuel.ingest_state WHERE stream = 'changes'";

constexpr std::string_view kSetWatermark =
    "UPDATE fuel.ingest_state SET watermark = $1, updated_at = now() "
    "WHERE stream = 'changes' AND watermark IS DISTINCT FROM $1";

constexpr std::string_view kLedgerKeysAtOrBelow =
    "SELECT key FROM fuel.change_files WHERE key <= $1 ORDER BY key DESC LIMIT $2::int";
constexpr std::string_view kLedgerKeysBelow =
    "SELECT key FROM fuel.change_files WHERE key < $1 ORDER BY key DESC LIMIT $2::int";

constexpr std::string_view kLedgerPage =
    "SELECT key, etag, status FROM fuel.change_files WHERE key = ANY($1::text[])";

// A change file's verdict, its reject when quarantined, and the watermark, in one statement: they
// move together with the file's data, in its transaction. Parameters: FileRecord, in order.
constexpr std::string_view kRecordFile =
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
    "WHERE stream = 'changes'";

// A stray: one ledger row and one reject, both only the first time (never the watermark).
constexpr std::string_view kRecordStray =
    "WITH l AS ("
    "  INSERT INTO fuel.change_files (key, etag, status, processed_at, last_modified, "
    "    size_bytes, reason) "
    "  VALUES ($1, $2, 'quarantined', now(), $3::timestamptz, $4::bigint, $5) "
    "  ON CONFLICT (key) DO NOTHING RETURNING key"
    ") "
    "INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
    "SELECT 'changes', $1, $2, 'file', $5 FROM l";

constexpr std::string_view kRecordEtagChange =
    "INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
    "SELECT 'changes', $1, $2, 'etag_changed', $3 WHERE NOT EXISTS ("
    "  SELECT 1 FROM fuel.rejects WHERE kind = 'etag_changed' AND object_key = $1 AND etag = $2)";

// Rather than deleting the ledger row, its ETag is cleared: no ETag matches it then.
constexpr std::string_view kRequeue =
    "UPDATE fuel.change_files SET etag = '', processed_at = now(), "
    "reason = 'requeued by operator' WHERE key = $1";

// --- staging and applying
// -------------------------------------------------------------------------

constexpr std::string_view kBeginChanges = "SELECT fuel.ingest_begin_changes()";
constexpr std::string_view kBeginSnapshot = "SELECT fuel.ingest_begin_snapshot()";

constexpr std::string_view kApplyChangeFile =
    "SELECT fuel.apply_change_file($1::timestamptz)::text";

constexpr std::string_view kApplySnapshot =
    "SELECT fuel.apply_snapshot(coalesce(fuel.ingest_ts(NULLIF($1, '')), "
    "$2::timestamptz), $3::boolean, $4::numeric, $5::boolean, $6::bigint, "
    "$7::bigint)::text";

std::string_view copy_statement(Staging table) {
    switch (table) {
        case Staging::snapshot_seen:
            return "COPY pg_temp.ingest_snap_seen (id, seq) FROM STDIN";
        case Staging::snapshot_rows: {
            // Named columns, the typed ones from lib/parse/typed_column_set.hpp: the staging
            // table's column order does not matter.
            static const std::string sql = detail::copy_rows_sql(
                "pg_temp.ingest_snap_rows", "seq, id, hash, raw, sanitised, src_deleted");
            return sql;
        }
        case Staging::snapshot_gone:
            return "COPY pg_temp.ingest_snap_gone (id) FROM STDIN";
        case Staging::snapshot_unread:
            return "COPY pg_temp.ingest_snap_unread (id, seq) FROM STDIN";
        case Staging::change_rows: {
            static const std::string sql = detail::copy_rows_sql(
                "pg_temp.ingest_chg_rows",
                "seq, op, id, changed_at, changed_ts, hash, raw, sanitised, src_deleted");
            return sql;
        }
    }
    return {};
}

// --- what fuel.records stores
// ---------------------------------------------------------------------

constexpr std::string_view kRecordsEmpty = "SELECT NOT EXISTS (SELECT FROM fuel.records)";

constexpr std::string_view kStoredByIds =
    "SELECT id, encode(content_hash, 'hex'), deleted_at IS NULL FROM fuel.records "
    "WHERE id = ANY($1::bigint[])";

constexpr std::string_view kStoredInRange =
    "SELECT id, encode(content_hash, 'hex'), deleted_at IS NULL FROM fuel.records "
    "WHERE id BETWEEN $1::bigint AND $2::bigint ORDER BY id LIMIT $3::integer";

// --- both streams ---

constexpr std::string_view kLastSuccesses =
    "SELECT stream, extract(epoch FROM last_success_at)::float8 FROM fuel.ingest_state "
    "WHERE last_success_at IS NOT NULL";

// --- the snapshot stream
// --------------------------------------------------------------------------

constexpr std::string_view kSnapshotEtag =
    "SELECT snapshot_etag FROM fuel.ingest_state WHERE stream = 'snapshot'";

constexpr std::string_view kSnapshotApplied =
    "UPDATE fuel.ingest_state SET snapshot_etag = NULLIF($1, ''), "
    "snapshot_exported_at = coalesce(fuel.ingest_ts(NULLIF($2, '')), "
    "$3::timestamptz), last_success_at = now(), last_attempt_at = now(), "
    "last_error = NULL, updated_at = now() WHERE stream = 'snapshot'";

// Recorded after the data was rolled back, so in a transaction of its own.
constexpr std::string_view kSnapshotFailure =
    "WITH r AS (INSERT INTO fuel.rejects (stream, object_key, etag, kind, reason) "
    "           VALUES ('snapshot', $1, NULLIF($2, ''), $3, $4)) "
    "UPDATE fuel.ingest_state SET last_error = $4, last_error_at = now(), "
    "       last_attempt_at = now(), updated_at = now() WHERE stream = 'snapshot'";

constexpr std::string_view kPrepareFirstLoad = "SELECT fuel.ingest_prepare_first_load()";
constexpr std::string_view kEnsureIndexes = "SELECT fuel.ingest_ensure_indexes()";

// --- rejects
// --------------------------------------------------------------------------------------

constexpr std::string_view kCopyRejects =
    "COPY fuel.rejects (stream, object_key, etag, kind, record_id, reason, raw_text) FROM STDIN";

// Rejects written while the object's ETag was not known yet; now() is this transaction's.
constexpr std::string_view kSetRejectsEtag =
    "UPDATE fuel.rejects SET etag = $2 WHERE object_key = $1 AND etag IS NULL AND at = now()";

constexpr std::string_view kQuarantinedFiles =
    "SELECT key, etag, processed_at::text, reason FROM fuel.change_files "
    "WHERE status = 'quarantined' ORDER BY key";

constexpr std::string_view kRecentRejects =
    "SELECT at::text, stream, object_key, kind, record_id, reason "
    "FROM fuel.rejects ORDER BY reject_id DESC LIMIT $1::bigint";

// --------------------------------------------------------------------------------------------------

std::string_view begin_statement(Scope scope) {
    return scope == Scope::transaction ? "BEGIN" : "SAVEPOINT ingest_unit";
}

std::vector<StoredRow> stored_rows(const db::Result& res) {
    std::vector<StoredRow> out;
    out.reserve(static_cast<std::size_t>(res.rows()));
    for (int i = 0; i < res.rows(); ++i)
        out.push_back({res.get_int(i, 0), std::string(res.get(i, 1)), res.get(i, 2) == "t"});
    return out;
}

}  // namespace

awaitable<void> PgStorage::begin(Scope scope) {
    co_await db_.exec(begin_statement(scope));
}

awaitable<void> PgStorage::commit(Scope scope) {
    co_await db_.exec(scope == Scope::transaction ? "COMMIT" : "RELEASE SAVEPOINT ingest_unit");
}

awaitable<void> PgStorage::rollback(Scope scope) {
    if (scope == Scope::transaction) {
        co_await db_.exec("ROLLBACK");
        co_return;
    }
    co_await db_.exec("ROLLBACK TO SAVEPOINT ingest_unit");
    co_await db_.exec("RELEASE SAVEPOINT ingest_unit");
}

bool PgStorage::usable() const {
    return db_.usable();
}

awaitable<std::optional<std::string>> PgStorage::watermark() {
    auto res = co_await db_.exec(kWatermark);
    if (res.rows() == 0) co_return std::nullopt;
    co_return res.get_opt(0, 0);
}

awaitable<void> PgStorage::set_watermark(std::optional<std::string> to) {
    db::Params params{std::move(to)};
    co_await db_.exec(kSetWatermark, std::move(params));
}

awaitable<std::vector<std::string>> PgStorage::ledger_keys_below(const std::string& key,
                                                                 bool inclusive, int limit) {
    db::Params params{key, std::to_string(limit)};
    auto res =
        co_await db_.exec(inclusive ? kLedgerKeysAtOrBelow : kLedgerKeysBelow, std::move(params));
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(res.rows()));
    for (int i = 0; i < res.rows(); ++i) out.emplace_back(res.get(i, 0));
    co_return out;
}

awaitable<LedgerPage> PgStorage::ledger_page(const std::vector<std::string_view>& keys) {
    LedgerPage out;
    if (keys.empty()) co_return out;
    db::Params params{detail::text_array(keys)};
    auto res = co_await db_.exec(kLedgerPage, std::move(params));
    for (int i = 0; i < res.rows(); ++i) {
        out.emplace(std::string(res.get(i, 0)),
                    LedgerEntry{std::string(res.get(i, 1)), std::string(res.get(i, 2))});
    }
    co_return out;
}

awaitable<void> PgStorage::record_file(const FileRecord& f) {
    const Counts& c = f.counts;
    db::Params params{f.key,
                      f.etag,
                      f.quarantine_reason.empty() ? "applied" : "quarantined",
                      time::rfc3339_millis(f.last_modified),
                      std::to_string(f.size),
                      std::to_string(c.rows_read),
                      std::to_string(c.inserted),
                      std::to_string(c.updated),
                      std::to_string(c.soft_deleted),
                      std::to_string(c.undeleted),
                      std::to_string(c.unchanged),
                      std::to_string(c.stale),
                      std::to_string(c.rejected),
                      detail::clean_text(f.quarantine_reason, 4096)};
    co_await db_.exec(kRecordFile, std::move(params));
}

awaitable<bool> PgStorage::record_stray(const StrayRecord& s) {
    db::Params params{s.key, s.etag, time::rfc3339_millis(s.last_modified), std::to_string(s.size),
                      detail::clean_text(s.reason, 4096)};
    auto res = co_await db_.exec(kRecordStray, std::move(params));
    co_return res.affected_rows() > 0;
}

awaitable<bool> PgStorage::record_etag_change(const std::string& key, const std::string& etag,
                                              const std::string& reason) {
    db::Params params{key, etag, detail::clean_text(reason, 4096)};
    auto res = co_await db_.exec(kRecordEtagChange, std::move(params));
    co_return res.affected_rows() > 0;
}

awaitable<void> PgStorage::requeue(const std::string& key) {
    db::Params params{key};
    co_await db_.exec(kRequeue, std::move(params));
}

awaitable<void> PgStorage::begin_change_staging() {
    co_await db_.exec(kBeginChanges);
}

awaitable<void> PgStorage::begin_snapshot_staging() {
    co_await db_.exec(kBeginSnapshot);
}

awaitable<void> PgStorage::stage(Staging table, std::string_view copy_text) {
    if (copy_text.empty()) co_return;
    co_await db_.copy_begin(copy_statement(table));
    co_await db_.copy_put(copy_text);
    co_await db_.copy_end();
}

awaitable<void> PgStorage::stage_open(Staging table) {
    co_await db_.copy_begin(copy_statement(table));
}

awaitable<void> PgStorage::stage_put(std::string_view copy_text) {
    co_await db_.copy_put(copy_text);
}

awaitable<void> PgStorage::stage_close() {
    co_await db_.copy_end();
}

awaitable<detail::ApplyOutcome> PgStorage::apply_change_file(TimePoint last_modified) {
    db::Params params{time::rfc3339_millis(last_modified)};
    auto res = co_await db_.exec(kApplyChangeFile, std::move(params));
    co_return detail::parse_apply_result(res.get(0, 0));
}

awaitable<detail::ApplyOutcome> PgStorage::apply_snapshot(const SnapshotApply& a) {
    db::Params params{a.exported_at,
                      time::rfc3339_millis(a.last_modified),
                      a.force ? "true" : "false",
                      std::to_string(a.max_delete_fraction),
                      a.ids_ascending ? "true" : "false",
                      a.stored_live ? db::Param(std::to_string(*a.stored_live)) : db::Param(),
                      std::to_string(a.unidentified)};
    auto res = co_await db_.exec(kApplySnapshot, std::move(params));
    co_return detail::parse_apply_result(res.get(0, 0));
}

awaitable<bool> PgStorage::records_empty() {
    auto res = co_await db_.exec(kRecordsEmpty);
    co_return res.get(0, 0) == "t";
}

awaitable<std::vector<StoredRow>> PgStorage::stored_by_ids(const std::vector<long long>& ids) {
    if (ids.empty()) co_return std::vector<StoredRow>{};
    db::Params params{detail::bigint_array(ids)};
    const auto res = co_await db_.exec(kStoredByIds, std::move(params));
    co_return stored_rows(res);
}

awaitable<std::vector<StoredRow>> PgStorage::stored_in_range(long long from, long long to,
                                                             int limit) {
    db::Params params{std::to_string(from), std::to_string(to), std::to_string(limit)};
    const auto res = co_await db_.exec(kStoredInRange, std::move(params));
    co_return stored_rows(res);
}

awaitable<std::vector<StreamSuccess>> PgStorage::last_successes() {
    auto res = co_await db_.exec(kLastSuccesses);
    std::vector<StreamSuccess> out;
    for (int i = 0; i < res.rows(); ++i) {
        const std::chrono::duration<double> epoch(std::stod(std::string(res.get(i, 1))));
        out.push_back({std::string(res.get(i, 0)),
                       TimePoint(std::chrono::duration_cast<TimePoint::duration>(epoch))});
    }
    co_return out;
}

awaitable<std::optional<std::string>> PgStorage::snapshot_etag() {
    auto res = co_await db_.exec(kSnapshotEtag);
    if (res.rows() == 0) co_return std::nullopt;
    co_return res.get_opt(0, 0);
}

awaitable<void> PgStorage::record_snapshot_applied(const SnapshotApplied& s) {
    db::Params params{s.etag, s.exported_at, time::rfc3339_millis(s.last_modified)};
    co_await db_.exec(kSnapshotApplied, std::move(params));
}

awaitable<void> PgStorage::record_snapshot_failure(const std::string& key, const std::string& etag,
                                                   const std::string& kind,
                                                   const std::string& message) {
    db::Params params{key, etag, kind, detail::clean_text(message, 4096)};
    co_await db_.exec(kSnapshotFailure, std::move(params));
}

awaitable<FirstLoad> PgStorage::prepare_first_load() {
    auto res = co_await db_.exec(kPrepareFirstLoad);
    const std::string_view verdict = res.get(0, 0);
    if (verdict == "dropped") co_return FirstLoad::dropped;
    if (verdict == "busy") co_return FirstLoad::busy;
    if (verdict == "not_owner") co_return FirstLoad::not_owner;
    co_return FirstLoad::not_empty;
}

awaitable<void> PgStorage::restore_indexes() {
    co_await db_.exec(kEnsureIndexes);
}

awaitable<void> PgStorage::write_rejects(std::string_view stream, const std::string& key,
                                         const std::string& etag,
                                         const std::vector<detail::RejectRow>& rows) {
    using detail::clean_text;
    std::string data;
    for (const auto& r : rows) {
        detail::copy_field(data, stream);
        detail::copy_field(data, clean_text(key, 4096));
        if (etag.empty())
            detail::copy_null(data);
        else
            detail::copy_field(data, clean_text(etag, 1024));
        detail::copy_field(data, r.kind);
        if (r.record_id)
            detail::copy_field(data, std::to_string(*r.record_id));
        else
            detail::copy_null(data);
        detail::copy_field(data, clean_text(r.reason, 4096));
        detail::copy_field(data, clean_text(r.raw_text), true);
    }
    if (data.empty()) co_return;
    co_await db_.copy_begin(kCopyRejects);
    co_await db_.copy_put(data);
    co_await db_.copy_end();
}

awaitable<void> PgStorage::set_rejects_etag(const std::string& key, const std::string& etag) {
    db::Params params{key, etag};
    co_await db_.exec(kSetRejectsEtag, std::move(params));
}

awaitable<std::vector<QuarantinedFile>> PgStorage::quarantined_files() {
    auto res = co_await db_.exec(kQuarantinedFiles);
    std::vector<QuarantinedFile> out;
    for (int i = 0; i < res.rows(); ++i) {
        out.push_back({std::string(res.get(i, 0)), std::string(res.get(i, 1)),
                       std::string(res.get(i, 2)), res.get_opt(i, 3)});
    }
    co_return out;
}

awaitable<std::vector<RejectEntry>> PgStorage::recent_rejects(long long limit) {
    db::Params params{std::to_string(limit)};
    auto res = co_await db_.exec(kRecentRejects, std::move(params));
    std::vector<RejectEntry> out;
    for (int i = 0; i < res.rows(); ++i) {
        RejectEntry e{std::string(res.get(i, 0)),
                      std::string(res.get(i, 1)),
                      res.get_opt(i, 2),
                      std::string(res.get(i, 3)),
                      std::nullopt,
                      std::string(res.get(i, 5))};
        if (!res.is_null(i, 4)) e.record_id = res.get_int(i, 4);
        out.push_back(std::move(e));
    }
    co_return out;
}

}  // namespace ff::ingest
