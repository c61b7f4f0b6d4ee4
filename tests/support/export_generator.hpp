// Seeded generator of contract-shaped exports (snapshots and change files, messy values) and a
// reference model of the contract's section 5 that says what fuel.records must hold afterwards,
// computed without the SQL under test.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace fftest {

using Ts = long long;  // seconds since the Unix epoch, UTC
constexpr Ts kNegInf = LLONG_MIN;

// One of the contract's timestamp spellings: 0 "…T…Z", 1 "YYYY-MM-DD HH:MM:SS" (Nairobi, UTC+3),
// 2 "…T…+03:00".
std::string format_ts(Ts t, int style);
// Reads what format_ts writes.
std::optional<Ts> parse_ts(std::string_view text);
// A fixed, readable base time: 2026-06-01T00:00:00Z.
constexpr Ts kBaseTime = 1780272000;

struct GenRow {
    long long id = 0;
    std::string json;  // the row as the exporter writes it
    std::optional<Ts> updated_at;
    std::optional<Ts> deleted_at;
    // A snapshot row that cannot be read (contract section 2): rejected alone, not absent. `id`
    // is the id its text still holds, unless `id_unreadable`.
    bool unreadable = false;
    bool id_unreadable = false;
};

struct GenChange {
    std::string op;  // as written: insert, UPDATE, Upsert, delete ...
    long long id = 0;
    std::optional<Ts> changed_at;
    std::optional<GenRow> row;  // nullopt for a delete
};

class ExportGenerator {
  public:
    explicit ExportGenerator(std::uint32_t seed) : rng_(seed) {}

    // A messy row: plates, numbers with currency and units, dates in every format, booleans,
    // Unicode notes, unknown extra fields. `variant` changes the content without changing the id.
    GenRow row(long long id, std::optional<Ts> updated_at, std::optional<Ts> deleted_at = {});
    // A row that cannot be read, of one of the kinds the contract's section 2 names (a lone
    // surrogate, invalid UTF-8, a number beyond PostgreSQL's range, an id like 17.0). With `id`,
    // that id can still be read from its text; without, no id can.
    GenRow unreadable_row(std::optional<long long> id);

    // {"table":…, "exported_at":…, "row_count":…, "rows":[…]}; row_count defaults to rows.size().
    std::string snapshot_object(const std::vector<GenRow>& rows, Ts exported_at,
                                std::optional<long long> row_count = {});
    std::string snapshot_bare(const std::vector<GenRow>& rows);
    // The object form, or a bare array of changes. Op spelling is kept as given.
    std::string change_file(const std::vector<GenChange>& changes, bool bare = false);
    // An op name in random case ("delete" -> "DeLete").
    std::string mixed_case(std::string_view op);

    std::mt19937& rng() { return rng_; }
    int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  private:
    std::mt19937 rng_;
};

// What one id must look like in fuel.records.
struct ExpectedRow {
    std::string raw;         // JSON text whose jsonb must equal raw; "{}" for a tombstone
    bool tombstone = false;  // a delete of an id never seen that carried no row: no content
    Ts version = kNegInf;
    std::optional<Ts> deleted_at;  // nullopt = live
    std::string deleted_reason;    // source | delete_op | missing_from_snapshot | ""
    std::optional<Ts> change_batch_at;
};

struct ModelCounts {
    std::string refused;  // empty, mass_delete, older_snapshot, empty
    // Every change (every snapshot row but the earlier copies of a duplicate id) in exactly one of
    // inserted … stale. duplicates: a snapshot's earlier copies of an id (skipped); a change
    // file's changes of an id already changed earlier in the same file (each also counted by what
    // it did, so only duplicates depends on how changes were cut into files).
    long long inserted = 0, updated = 0, soft_deleted = 0, undeleted = 0, unchanged = 0, stale = 0,
              duplicates = 0;
    // A snapshot's unreadable rows (in none of the above), those of them whose id could not be
    // read, and the absent rows not soft-deleted because of those.
    long long rejected = 0, unidentified = 0, deletes_withheld = 0;
    long long written() const { return inserted + updated + soft_deleted + undeleted; }
};

// The contract's section 5 (v1.1), applied in memory: changes one after another, each held
// against the state by then; and section 2's unreadable snapshot rows (present, so not missing;
// rejected, so not written; without an id, no row is soft-deleted for being absent). Written from
// the contract's text, never from the SQL under test.
class ReferenceModel {
  public:
    ModelCounts apply_snapshot(const std::vector<GenRow>& rows, Ts exported_at, bool force = false,
                               double max_delete_fraction = 0.10);
    ModelCounts apply_changes(const std::vector<GenChange>& changes, Ts file_time);

    const std::map<long long, ExpectedRow>& rows() const { return rows_; }
    long long live_count() const;

  private:
    void apply_change(const GenChange& change, Ts file_time, ModelCounts& counts);

    std::map<long long, ExpectedRow> rows_;
    std::optional<Ts> last_exported_at_;
};

}  // namespace fftest
