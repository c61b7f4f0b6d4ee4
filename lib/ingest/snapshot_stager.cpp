// Streams a snapshot's rows into the staging tables, shipping unchanged rows as ids only.
#include "ingest/snapshot_stager.hpp"

#include <variant>

#include "db/connection.hpp"
#include "ingest/typed_columns.hpp"

namespace ff::ingest::detail {

SnapshotStager::SnapshotStager(db::Connection& db, std::string key, std::size_t batch_rows,
                               bool table_empty)
    : FramedStager(db, std::move(key), batch_rows, DocumentKind::snapshot),
      table_empty_(table_empty) {}

namespace {

void append_seen(std::string& out, long long id, long long seq) {
    out += std::to_string(id);
    out += '\t';
    out += std::to_string(seq);
    out += '\n';
}

// One line of ingest_snap_rows; the typed columns are read from the canonical text here, so only
// for the rows that ship (a no-op reconcile ships none).
void append_row(std::string& out, long long seq, const ParsedRow& row, bool live) {
    copy_field(out, std::to_string(seq));
    copy_field(out, std::to_string(row.id));
    copy_field(out, row.hash_hex);
    copy_field(out, row.canonical);
    copy_field(out, row.sanitised ? "t" : "f");
    copy_field(out, live ? "f" : "t");
    copy_typed(out, normalise_row_json(row.canonical), true);
}

}  // namespace

void SnapshotStager::on_element(std::string_view element) {
    auto parsed = parse_row(element);
    if (auto* rejected = std::get_if<RowReject>(&parsed)) {
        reject(rejected->id, rejected->reason, element);
        return;
    }
    auto& row = std::get<ParsedRow>(parsed);
    if (row.sanitised) {
        // The original text is kept only when the row is actually staged (see write_changed_rows).
        rejects_.push_back(
            {"sanitised", row.id, "a \\u0000 was removed from the row", clean_text(element)});
    }
    ++pending_.elements;
    if (last_id_ && row.id <= *last_id_) ids_ascending_ = false;
    last_id_ = row.id;
    if (table_empty_) {
        append_seen(pending_.seen_copy, row.id, seq_);
        append_row(pending_.rows_copy, seq_, row, !deleted_at_is_set(row.deleted_at));
    } else {
        pending_.rows.push_back({seq_, std::move(row)});
    }
}

void SnapshotStager::take_batch() {
    std::swap(batch_, pending_);
    pending_ = Batch{};
    batch_.rejects = std::move(rejects_);
    rejects_.clear();
}

// What is stored for the batch's ids decides which rows are worth shipping.
boost::asio::awaitable<void> SnapshotStager::look_up_stored() {
    stored_.clear();
    if (batch_.rows.empty()) co_return;
    std::vector<long long> ids;
    ids.reserve(batch_.rows.size());
    for (const auto& p : batch_.rows) ids.push_back(p.row.id);
    db::Params params1{bigint_array(ids)};
    auto res = co_await db_.exec(
        "SELECT id, encode(content_hash, 'hex'), deleted_at IS NULL FROM fuel.records "
        "WHERE id = ANY($1::bigint[])",
        std::move(params1));
    for (int i = 0; i < res.rows(); ++i) {
        stored_.emplace(res.get_int(i, 0),
                        Stored{std::string(res.get(i, 1)), res.get(i, 2) == "t"});
    }
}

void SnapshotStager::write_changed_rows() {
    std::vector<RejectRow> sanitised;
    std::vector<RejectRow> rejects;
    for (auto& r : batch_.rejects)
        (r.kind == "sanitised" ? sanitised : rejects).push_back(std::move(r));
    for (const auto& p : batch_.rows) {
        const ParsedRow& row = p.row;
        append_seen(batch_.seen_copy, row.id, p.seq);
        auto it = stored_.find(row.id);
        const bool live = !deleted_at_is_set(row.deleted_at);
        if (it != stored_.end() && it->second.hash == row.hash_hex && it->second.live == live)
            continue;
        append_row(batch_.rows_copy, p.seq, row, live);
        if (row.sanitised) {
            for (const auto& r : sanitised) {
                if (r.record_id == row.id) rejects.push_back(r);
            }
        }
    }
    batch_.rejects = std::move(rejects);
}

boost::asio::awaitable<void> SnapshotStager::send_batch() {
    if (batch_.elements == 0 && batch_.rejects.empty()) co_return;
    if (!table_empty_) {
        co_await look_up_stored();
        write_changed_rows();
    }
    co_await copy_in(db_, "COPY pg_temp.ingest_snap_seen (id, seq) FROM STDIN", batch_.seen_copy);
    co_await copy_in(db_, "COPY pg_temp.ingest_snap_rows FROM STDIN", batch_.rows_copy);
    if (!batch_.rejects.empty()) {
        co_await write_rejects(db_, "snapshot", key_, "", batch_.rejects);
        wrote_rejects_ = true;
    }
    batch_ = Batch{};
}

}  // namespace ff::ingest::detail
