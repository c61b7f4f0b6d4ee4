// Streams a snapshot's rows into the staging tables, shipping unchanged rows as ids only.
#include "ingest/snapshot_stager.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>
#include <variant>

#include "parse/typed_columns.hpp"

namespace ff::ingest::detail {

SnapshotStager::SnapshotStager(Storage& storage, std::string key, std::size_t batch_rows,
                               bool table_empty)
    : FramedStager(storage, std::move(key), batch_rows, parse::DocumentKind::snapshot),
      table_empty_(table_empty),
      lookup_(storage) {}

namespace {

constexpr long long kMinId = std::numeric_limits<long long>::min();
constexpr long long kMaxId = std::numeric_limits<long long>::max();

void append_seen(std::string& out, long long id, long long seq) {
    out += std::to_string(id);
    out += '\t';
    out += std::to_string(seq);
    out += '\n';
}

// One line of ingest_snap_rows.
void append_row(std::string& out, long long seq, const parse::ParsedRow& row, bool live,
                const std::optional<parse::TypedColumns>& typed) {
    copy_field(out, std::to_string(seq));
    copy_field(out, std::to_string(row.id));
    copy_field(out, row.hash_hex);
    copy_field(out, row.canonical);
    copy_field(out, row.sanitised ? "t" : "f");
    copy_field(out, live ? "f" : "t");
    copy_typed(out, typed, true);
}

}  // namespace

// Into an empty table every row ships as soon as it is read, its typed columns read from the tree
// the row was parsed into. Otherwise a row waits for the look-up of what is stored, as its text
// (a tree per waiting row would cost more than it saves), and only the rows that ship are read
// again for their typed columns (send_changed_rows): a no-op reconcile reads none.
void SnapshotStager::on_element(std::string_view element) {
    if (table_empty_) {
        auto parsed = parse::parse_typed_row(element);
        if (auto* rejected = std::get_if<parse::RowReject>(&parsed)) {
            reject(rejected->id, rejected->reason, element);
            return;
        }
        const auto& [row, typed] = std::get<parse::TypedRow>(parsed);
        note_read(row, element);
        append_seen(pending_.seen_copy, row.id, seq_);
        append_row(pending_.rows_copy, seq_, row, !parse::deleted_at_is_set(row.deleted_at), typed);
        return;
    }
    auto parsed = parse::parse_row(element);
    if (auto* rejected = std::get_if<parse::RowReject>(&parsed)) {
        reject(rejected->id, rejected->reason, element);
        return;
    }
    auto& row = std::get<parse::ParsedRow>(parsed);
    note_read(row, element);
    pending_.rows.push_back({seq_, std::move(row)});
}

void SnapshotStager::note_read(const parse::ParsedRow& row, std::string_view element) {
    if (row.sanitised) {
        // The original text is kept only when the row is actually staged (see send_changed_rows).
        rejects_.push_back(
            {"sanitised", row.id, "a \\u0000 was removed from the row", clean_text(element)});
    }
    stage_id(row.id);
}

void SnapshotStager::stage_id(long long id) {
    ++pending_.elements;
    if (last_id_ && id <= *last_id_) ids_ascending_ = false;
    last_id_ = id;
    pending_.last_id = id;
}

// An unreadable row is not an absent one: its id, when its text holds one, counts as present
// wherever the snapshot's ids are compared with what is stored (the range look-ups here, the
// missing rows and duplicates in fuel.apply_snapshot), and nothing of it is written.
void SnapshotStager::reject(std::optional<long long> id, std::string reason,
                            std::string_view text) {
    if (id) {
        stage_id(*id);
        pending_.unread_ids.push_back(*id);
        append_seen(pending_.unread_copy, *id, seq_);
    } else {
        ++unidentified_;
        reason += " (no id could be read from it: this snapshot soft-deletes no absent row)";
    }
    FramedStager::reject(id, std::move(reason), text);
}

void SnapshotStager::take_batch() {
    std::swap(batch_, pending_);
    pending_ = Batch{};
    batch_.rejects = std::move(rejects_);
    rejects_.clear();
    if (ids_ascending_ && batch_.last_id) {
        batch_.range_from = last_range_to_ ? *last_range_to_ + 1 : kMinId;
        batch_.range_to = batch_.last_id;
        last_range_to_ = batch_.range_to;
    }
}

std::optional<long long> SnapshotStager::stored_live() const {
    if (table_empty_) return 0;
    if (!ids_ascending_) return std::nullopt;
    return lookup_.live();
}

// What is stored for the batch's ids decides which rows are worth shipping.
boost::asio::awaitable<void> SnapshotStager::look_up_stored() {
    lookup_.clear();
    std::vector<long long> ids;
    ids.reserve(batch_.rows.size());
    for (const auto& p : batch_.rows) ids.push_back(p.row.id);
    if (!batch_.range_from) {
        co_await lookup_.by_ids(ids);
        co_return;
    }
    // Both ascend: merged, the range's stored rows that are among them are not gone.
    std::vector<long long> present;
    present.reserve(ids.size() + batch_.unread_ids.size());
    std::merge(ids.begin(), ids.end(), batch_.unread_ids.begin(), batch_.unread_ids.end(),
               std::back_inserter(present));
    for (std::optional<long long> from = batch_.range_from; from;)
        from = co_await lookup_.by_range(*from, *batch_.range_to, present, batch_.gone_copy);
}

boost::asio::awaitable<void> SnapshotStager::send_changed_rows() {
    std::vector<RejectRow> sanitised;
    std::vector<RejectRow> rejects;
    for (auto& r : batch_.rejects)
        (r.kind == "sanitised" ? sanitised : rejects).push_back(std::move(r));
    for (const auto& p : batch_.rows) append_seen(batch_.seen_copy, p.row.id, p.seq);
    co_await storage_.stage(Staging::snapshot_seen, batch_.seen_copy);

    // Sent in slices: a batch of new rows is megabytes of text, and holding it whole made peak
    // memory depend on how the changed rows cluster.
    constexpr std::size_t kSliceBytes = 512 * 1024;
    bool begun = false;
    std::string& slice = batch_.rows_copy;
    for (const auto& p : batch_.rows) {
        const parse::ParsedRow& row = p.row;
        const auto* stored = lookup_.find(row.id);
        const bool live = !parse::deleted_at_is_set(row.deleted_at);
        if (stored != nullptr && stored->hash == row.hash_hex && stored->live == live) continue;
        append_row(slice, p.seq, row, live, parse::normalise_row_json(row.canonical));
        if (row.sanitised) {
            for (const auto& r : sanitised) {
                if (r.record_id == row.id) rejects.push_back(r);
            }
        }
        if (slice.size() >= kSliceBytes) {
            if (!std::exchange(begun, true)) co_await storage_.stage_open(Staging::snapshot_rows);
            co_await storage_.stage_put(slice);
            slice.clear();
        }
    }
    if (begun) {
        if (!slice.empty()) co_await storage_.stage_put(slice);
        co_await storage_.stage_close();
    } else {
        co_await storage_.stage(Staging::snapshot_rows, slice);
    }
    batch_.rejects = std::move(rejects);
}

boost::asio::awaitable<void> SnapshotStager::send_batch() {
    if (batch_.elements == 0 && batch_.rejects.empty()) co_return;
    if (table_empty_) {
        co_await storage_.stage(Staging::snapshot_seen, batch_.seen_copy);
        co_await storage_.stage(Staging::snapshot_rows, batch_.rows_copy);
    } else {
        co_await look_up_stored();
        co_await send_changed_rows();
    }
    co_await storage_.stage(Staging::snapshot_gone, batch_.gone_copy);
    co_await storage_.stage(Staging::snapshot_unread, batch_.unread_copy);
    if (!batch_.rejects.empty()) {
        co_await storage_.write_rejects("snapshot", key_, "", batch_.rejects);
        wrote_rejects_ = true;
    }
    batch_ = Batch{};
}

// While the ids ascend, the batches looked up every stored id up to the last one; the stored rows
// past it are all missing from the snapshot.
boost::asio::awaitable<void> SnapshotStager::after_last_batch() {
    if (table_empty_ || !ids_ascending_ || last_range_to_ == kMaxId) co_return;
    const long long start = last_range_to_ ? *last_range_to_ + 1 : kMinId;
    for (std::optional<long long> from = start; from;) {
        std::string gone;
        from = co_await lookup_.by_range(*from, kMaxId, {}, gone);
        co_await storage_.stage(Staging::snapshot_gone, gone);
    }
}

}  // namespace ff::ingest::detail
