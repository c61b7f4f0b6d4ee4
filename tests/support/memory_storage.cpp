// The in-memory storage seam and object store (memory_storage.hpp).
#include "support/memory_storage.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>

namespace fftest {

namespace ingest = ff::ingest;
using boost::asio::awaitable;

namespace {

// The tab-separated fields of each line of COPY text (escapes are left as they are).
std::vector<std::vector<std::string_view>> copy_lines(std::string_view text) {
    std::vector<std::vector<std::string_view>> out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        std::vector<std::string_view> fields;
        for (;;) {
            const auto tab = line.find('\t');
            fields.push_back(line.substr(0, tab));
            if (tab == std::string_view::npos) break;
            line = line.substr(tab + 1);
        }
        out.push_back(std::move(fields));
    }
    return out;
}

long long number(std::string_view text) {
    long long v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc())
        throw std::runtime_error("memory storage: not a number: " + std::string(text));
    return v;
}

}  // namespace

// --- units of work ----------------------------------------------------------------------------

awaitable<void> MemoryStorage::begin(ingest::Scope scope) {
    statements.push_back(scope == ingest::Scope::transaction ? "begin" : "savepoint");
    if (scope == ingest::Scope::transaction && in_transaction())
        throw StorageFailure("memory storage: BEGIN inside a transaction");
    if (scope == ingest::Scope::savepoint && !in_transaction())
        throw StorageFailure("memory storage: SAVEPOINT outside a transaction");
    saved_.push_back(state);
    co_return;
}

awaitable<void> MemoryStorage::commit(ingest::Scope scope) {
    statements.push_back(scope == ingest::Scope::transaction ? "commit" : "release");
    if (saved_.empty()) throw StorageFailure("memory storage: COMMIT outside a transaction");
    saved_.pop_back();
    co_return;
}

awaitable<void> MemoryStorage::rollback(ingest::Scope scope) {
    statements.push_back(scope == ingest::Scope::transaction ? "rollback"
                                                             : "rollback to savepoint");
    if (saved_.empty()) throw StorageFailure("memory storage: ROLLBACK outside a transaction");
    state = std::move(saved_.back());
    saved_.pop_back();
    co_return;
}

// --- watermark and ledger ---------------------------------------------------------------------

awaitable<std::optional<std::string>> MemoryStorage::watermark() {
    co_return state.watermark;
}

awaitable<void> MemoryStorage::set_watermark(std::optional<std::string> to) {
    state.watermark = std::move(to);
    co_return;
}

awaitable<std::vector<std::string>> MemoryStorage::ledger_keys_below(const std::string& key,
                                                                     bool inclusive, int limit) {
    std::vector<std::string> out;
    auto it = inclusive ? state.ledger.upper_bound(key) : state.ledger.lower_bound(key);
    while (it != state.ledger.begin() && static_cast<int>(out.size()) < limit) {
        --it;
        out.push_back(it->first);
    }
    co_return out;
}

awaitable<ingest::LedgerPage> MemoryStorage::ledger_page(
    const std::vector<std::string_view>& keys) {
    ingest::LedgerPage out;
    for (auto key : keys) {
        auto it = state.ledger.find(std::string(key));
        if (it != state.ledger.end())
            out.emplace(it->first, ingest::LedgerEntry{it->second.etag, it->second.status});
    }
    co_return out;
}

void MemoryStorage::put_ledger(const std::string& key, std::string etag, std::string status,
                               std::string reason) {
    LedgerRow& row = state.ledger[key];
    row.etag = std::move(etag);
    row.status = std::move(status);
    row.counts = ff::ingest::Counts();
    row.reason = std::move(reason);
}

awaitable<void> MemoryStorage::record_file(const ingest::FileRecord& f) {
    const bool applied = f.quarantine_reason.empty();
    state.ledger[f.key] =
        LedgerRow{f.etag, applied ? "applied" : "quarantined", f.counts, f.quarantine_reason};
    if (!applied)
        state.rejects.push_back(
            {"changes", f.key, f.etag, "file", f.quarantine_reason, std::nullopt});
    if (!state.watermark || *state.watermark < f.key) state.watermark = f.key;
    if (applied) ++state.changes_successes;
    co_return;
}

awaitable<bool> MemoryStorage::record_stray(const ingest::StrayRecord& s) {
    if (state.ledger.count(s.key)) co_return false;
    put_ledger(s.key, s.etag, "quarantined", s.reason);
    state.rejects.push_back({"changes", s.key, s.etag, "file", s.reason, std::nullopt});
    co_return true;
}

awaitable<bool> MemoryStorage::record_etag_change(const std::string& key, const std::string& etag,
                                                  const std::string& reason) {
    for (const auto& r : state.rejects) {
        if (r.kind == "etag_changed" && r.key == key && r.etag == etag) co_return false;
    }
    state.rejects.push_back({"changes", key, etag, "etag_changed", reason, std::nullopt});
    co_return true;
}

awaitable<void> MemoryStorage::requeue(const std::string& key) {
    auto it = state.ledger.find(key);
    if (it != state.ledger.end()) {
        it->second.etag.clear();
        it->second.reason = "requeued by operator";
    }
    co_return;
}

// --- staging and applying ---------------------------------------------------------------------

awaitable<void> MemoryStorage::begin_change_staging() {
    state.staged_changes = 0;
    co_return;
}

awaitable<void> MemoryStorage::begin_snapshot_staging() {
    state.shipped_ids.clear();
    state.seen_ids.clear();
    state.gone_ids.clear();
    state.unread_ids.clear();
    staged_rows_.clear();
    co_return;
}

void MemoryStorage::take(ingest::Staging table, std::string_view copy_text) {
    for (const auto& f : copy_lines(copy_text)) {
        switch (table) {
            case ingest::Staging::snapshot_seen:
                state.seen_ids.push_back(number(f.at(0)));
                break;
            case ingest::Staging::snapshot_rows: {
                const long long id = number(f.at(1));
                state.shipped_ids.push_back(id);
                staged_rows_[id] = StoredRow{std::string(f.at(2)), f.at(5) == "f"};
                break;
            }
            case ingest::Staging::snapshot_gone:
                state.gone_ids.push_back(number(f.at(0)));
                break;
            case ingest::Staging::snapshot_unread:
                state.unread_ids.push_back(number(f.at(0)));
                break;
            case ingest::Staging::change_rows:
                ++state.staged_changes;
                break;
        }
    }
}

awaitable<void> MemoryStorage::stage(ingest::Staging table, std::string_view copy_text) {
    take(table, copy_text);
    co_return;
}

awaitable<void> MemoryStorage::stage_open(ingest::Staging table) {
    open_copy_ = table;
    co_return;
}

awaitable<void> MemoryStorage::stage_put(std::string_view copy_text) {
    // The engine cuts pieces at line ends; a piece that did not would fail number() here.
    take(open_copy_.value(), copy_text);
    co_return;
}

awaitable<void> MemoryStorage::stage_close() {
    open_copy_.reset();
    co_return;
}

awaitable<ingest::detail::ApplyOutcome> MemoryStorage::apply_change_file(ingest::TimePoint) {
    statements.push_back("apply_change_file");
    if (std::exchange(fail_next_change_apply, false))
        throw StorageFailure("memory storage: the apply failed (injected)");
    ingest::detail::ApplyOutcome out;
    out.counts.inserted = state.staged_changes;  // the apply's rules are PostgreSQL's
    co_return out;
}

awaitable<ingest::detail::ApplyOutcome> MemoryStorage::apply_snapshot(
    const ingest::SnapshotApply& apply) {
    statements.push_back("apply_snapshot");
    ingest::detail::ApplyOutcome out;
    if (!refuse_snapshot.empty()) {
        out.refused = refuse_snapshot;
        out.forced = apply.force;
        if (!apply.force) co_return out;
    }
    for (const auto& [id, row] : staged_rows_) {
        auto [it, inserted] = state.records.try_emplace(id, row);
        if (inserted) {
            ++out.counts.inserted;
        } else {
            it->second = row;
            ++out.counts.updated;
        }
    }
    std::set<long long> present(state.seen_ids.begin(), state.seen_ids.end());
    present.insert(state.unread_ids.begin(), state.unread_ids.end());
    for (auto& [id, row] : state.records) {
        if (!row.live || present.count(id)) continue;
        if (apply.unidentified > 0) {
            ++out.counts.deletes_withheld;
        } else {
            row.live = false;
            ++out.counts.soft_deleted;
        }
    }
    co_return out;
}

awaitable<bool> MemoryStorage::records_empty() {
    co_return state.records.empty();
}

awaitable<std::vector<ingest::StoredRow>> MemoryStorage::stored_by_ids(
    const std::vector<long long>& ids) {
    std::vector<ingest::StoredRow> out;
    for (long long id : ids) {
        auto it = state.records.find(id);
        if (it != state.records.end()) out.push_back({id, it->second.hash, it->second.live});
    }
    co_return out;
}

awaitable<std::vector<ingest::StoredRow>> MemoryStorage::stored_in_range(long long from,
                                                                         long long to, int limit) {
    std::vector<ingest::StoredRow> out;
    for (auto it = state.records.lower_bound(from);
         it != state.records.end() && it->first <= to && static_cast<int>(out.size()) < limit; ++it)
        out.push_back({it->first, it->second.hash, it->second.live});
    co_return out;
}

// --- the snapshot stream ----------------------------------------------------------------------

awaitable<std::vector<ingest::StreamSuccess>> MemoryStorage::last_successes() {
    co_return std::vector<ingest::StreamSuccess>{};
}

awaitable<std::optional<std::string>> MemoryStorage::snapshot_etag() {
    co_return state.snapshot_etag;
}

awaitable<void> MemoryStorage::record_snapshot_applied(const ingest::SnapshotApplied& s) {
    state.snapshot_etag = s.etag.empty() ? std::nullopt : std::optional<std::string>(s.etag);
    state.snapshot_exported_at = s.exported_at;
    state.snapshot_error.reset();
    co_return;
}

awaitable<void> MemoryStorage::record_snapshot_failure(const std::string& key,
                                                       const std::string& etag,
                                                       const std::string& kind,
                                                       const std::string& message) {
    state.rejects.push_back({"snapshot", key, etag, kind, message, std::nullopt});
    state.snapshot_error = message;
    co_return;
}

awaitable<ingest::FirstLoad> MemoryStorage::prepare_first_load() {
    co_return first_load;
}

awaitable<void> MemoryStorage::restore_indexes() {
    ++indexes_restored;
    co_return;
}

// --- rejects ----------------------------------------------------------------------------------

awaitable<void> MemoryStorage::write_rejects(std::string_view stream, const std::string& key,
                                             const std::string& etag,
                                             const std::vector<ingest::detail::RejectRow>& rows) {
    for (const auto& r : rows)
        state.rejects.push_back({std::string(stream), key, etag, r.kind, r.reason, r.record_id});
    co_return;
}

awaitable<void> MemoryStorage::set_rejects_etag(const std::string& key, const std::string& etag) {
    for (auto& r : state.rejects) {
        if (r.key == key && r.etag.empty()) r.etag = etag;
    }
    co_return;
}

awaitable<std::vector<ingest::QuarantinedFile>> MemoryStorage::quarantined_files() {
    std::vector<ingest::QuarantinedFile> out;
    for (const auto& [key, row] : state.ledger) {
        if (row.status == "quarantined") out.push_back({key, row.etag, "now", row.reason});
    }
    co_return out;
}

awaitable<std::vector<ingest::RejectEntry>> MemoryStorage::recent_rejects(long long limit) {
    std::vector<ingest::RejectEntry> out;
    for (auto it = state.rejects.rbegin();
         it != state.rejects.rend() && static_cast<long long>(out.size()) < limit; ++it)
        out.push_back({"now", it->stream, it->key, it->kind, it->record_id, it->reason});
    co_return out;
}

// --- the object store -------------------------------------------------------------------------

void MemoryObjectStore::put(const std::string& key, std::string body,
                            std::chrono::system_clock::time_point modified) {
    Object& o = objects_[key];
    o.info = ff::s3::ObjectInfo{key, "etag-" + std::to_string(++etags_), body.size(), modified};
    o.body = std::move(body);
}

awaitable<void> MemoryObjectStore::list_pages(std::string prefix, std::string start_after,
                                              ff::s3::PageConsumer consumer) {
    listed_after.push_back(start_after);
    std::vector<ff::s3::ObjectInfo> page;
    for (auto it = objects_.upper_bound(start_after); it != objects_.end(); ++it) {
        if (it->first.rfind(prefix, 0) != 0) continue;
        page.push_back(it->second.info);
        if (page.size() == page_size) {
            co_await consumer(page);
            page.clear();
        }
    }
    if (!page.empty()) co_await consumer(page);
}

awaitable<std::optional<ff::s3::ObjectInfo>> MemoryObjectStore::head(std::string key) {
    auto it = objects_.find(key);
    if (it == objects_.end()) co_return std::nullopt;
    co_return it->second.info;
}

awaitable<ff::s3::GetResult> MemoryObjectStore::get(std::string key, ff::s3::GetOptions options,
                                                    ff::s3::ChunkConsumer consumer) {
    ++gets;
    auto it = objects_.find(key);
    if (it == objects_.end()) throw std::runtime_error("memory store: no such key: " + key);
    ff::s3::GetResult result;
    result.info = it->second.info;
    if (options.if_none_match && *options.if_none_match == result.info.etag) {
        result.not_modified = true;
        co_return result;
    }
    const std::string body = it->second.body;  // a copy: the consumer may put()
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        if (fail_get == key && at > 0) throw std::runtime_error("memory store: connection reset");
        co_await consumer(std::string_view(body).substr(at, chunk));
    }
    co_return result;
}

}  // namespace fftest
