// Streams a snapshot's rows into the staging tables, shipping unchanged rows as ids only.
#include "ingest/snapshot_stager.hpp"

#include <unordered_map>
#include <variant>

#include "db/connection.hpp"

namespace ff::ingest::detail {

bool deleted_at_is_set(const std::optional<std::string>& value) {
    if (!value) return false;
    return value->find_first_not_of(" \t") != std::string::npos;
}

SnapshotStager::SnapshotStager(db::Connection& db, std::string key, std::size_t batch_rows)
    : FramedStager(db, std::move(key), batch_rows, DocumentKind::snapshot) {}

void SnapshotStager::on_element(std::string_view element) {
    auto parsed = parse_row(element);
    if (auto* rejected = std::get_if<RowReject>(&parsed)) {
        reject(rejected->id, rejected->reason, element);
        return;
    }
    auto& row = std::get<ParsedRow>(parsed);
    if (row.sanitised) {
        // The original text is kept only when the row is actually staged (see flush).
        rejects_.push_back(
            {"sanitised", row.id, "a \\u0000 was removed from the row", clean_text(element)});
    }
    pending_.push_back({seq_, std::move(row)});
}

boost::asio::awaitable<void> SnapshotStager::flush() {
    if (pending_.empty() && rejects_.empty()) co_return;

    // What is stored for this batch's ids decides which rows are worth shipping.
    struct Stored {
        std::string hash;
        bool live;
    };
    std::unordered_map<long long, Stored> stored;
    if (!pending_.empty()) {
        std::vector<long long> ids;
        ids.reserve(pending_.size());
        for (const auto& p : pending_) ids.push_back(p.row.id);
        db::Params params1{bigint_array(ids)};
        auto res = co_await db_.exec(
            "SELECT id, encode(content_hash, 'hex'), deleted_at IS NULL FROM fuel.records "
            "WHERE id = ANY($1::bigint[])",
            std::move(params1));
        for (int i = 0; i < res.rows(); ++i) {
            stored.emplace(res.get_int(i, 0),
                           Stored{std::string(res.get(i, 1)), res.get(i, 2) == "t"});
        }
    }

    std::string seen;
    std::string rows;
    std::vector<RejectRow> rejects;
    for (auto& r : rejects_) {
        if (r.kind != "sanitised") rejects.push_back(std::move(r));
    }
    for (const auto& p : pending_) {
        const ParsedRow& row = p.row;
        seen += std::to_string(row.id);
        seen += '\t';
        seen += std::to_string(p.seq);
        seen += '\n';
        auto it = stored.find(row.id);
        bool live = !deleted_at_is_set(row.deleted_at);
        if (it != stored.end() && it->second.hash == row.hash_hex && it->second.live == live)
            continue;
        copy_field(rows, std::to_string(p.seq));
        copy_field(rows, std::to_string(row.id));
        copy_field(rows, row.hash_hex);
        copy_field(rows, row.canonical);
        copy_opt(rows, row.updated_at);
        copy_opt(rows, row.deleted_at);
        copy_field(rows, row.sanitised ? "t" : "f", true);
        if (row.sanitised) {
            for (const auto& r : rejects_) {
                if (r.kind == "sanitised" && r.record_id == row.id) rejects.push_back(r);
            }
        }
    }
    co_await copy_in(db_, "COPY pg_temp.ingest_snap_seen (id, seq) FROM STDIN", seen);
    co_await copy_in(db_,
                     "COPY pg_temp.ingest_snap_rows (seq, id, hash, raw, updated_at, deleted_at, "
                     "sanitised) FROM STDIN",
                     rows);
    if (!rejects.empty()) {
        co_await write_rejects(db_, "snapshot", key_, "", rejects);
        wrote_rejects_ = true;
    }
    pending_.clear();
    rejects_.clear();
}

}  // namespace ff::ingest::detail
