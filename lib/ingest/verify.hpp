// fleetfuel verify: whether what FleetFuel stored agrees with its rules, read-only and beside the
// running daemon. Every stored row's typed columns against fuel.normalise(raw), every change file
// in the bucket against the ledger, and the watermark against the ledger. One REPEATABLE READ
// READ ONLY transaction and no writer lock; memory stays bounded however large the table or the
// bucket (rows are compared in id batches by the database, the bucket is read a page at a time).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ff::db {
class Connection;
}
namespace ff::s3 {
class ObjectStore;
}

namespace ff::ingest {

struct VerifyOptions {
    std::string prefix = "fuel_records/";
    std::size_t limit = 20;             // differences listed per check; all of them are counted
    std::size_t batch_rows = 10'000;    // rows compared per statement
    std::size_t listing_overlap = 100;  // the daemon's, to say where its next poll lists from
    // A change file in the bucket that the ledger lacks although it is older than this is a
    // difference (the daemon finds every file within one SNAPSHOT_INTERVAL); a newer one is
    // pending. SNAPSHOT_INTERVAL plus CHANGES_INTERVAL for the daemon's defaults.
    std::chrono::milliseconds pending_grace{3'630'000};
};

// One thing that does not agree: a stored row's column, or a change file, or the watermark.
struct Difference {
    std::string id;      // the record id, or the object key, or "changes" for the watermark
    std::string column;  // a typed column, "ledger" or "watermark"
    std::optional<std::string> stored;
    std::optional<std::string> expected;
};

struct CheckResult {
    std::string name;                     // typed_columns | change_files | watermark
    long long differing = 0;              // rows or objects with at least one difference
    std::vector<Difference> differences;  // the first `limit`
    std::string summary;                  // one line for people
    std::vector<std::string> notes;       // facts worth knowing that are not differences
    // Figures for --json: name and value as JSON text (a number, a quoted string or null).
    std::vector<std::pair<std::string, std::string>> facts;
    bool numeric_ids = false;  // differences name record ids (JSON numbers), not object keys

    bool ok() const { return differing == 0; }
};

// The checks in the order they ran and are reported. (The rules version in force beside this
// binary's, issue 14, is one more check in this list.)
struct VerifyResult {
    std::vector<CheckResult> checks;
    bool ok() const;
};

// `store` may be null: then the bucket is not listed, and a note says so.
boost::asio::awaitable<VerifyResult> verify(db::Connection& db, s3::ObjectStore* store,
                                            const VerifyOptions& options);

// {"ok":..,"version":..,"checks":[{"check":..,"ok":..,"differing":..,<facts>,"differences":[..],
// "notes":[..]}]}
std::string to_json(const VerifyResult& result, std::string_view version);
// A line per check, its differences and notes below it, and a last line with the verdict.
std::string to_text(const VerifyResult& result);

namespace detail {
// The checks, each inside the caller's read-only transaction (verify_rows.cpp, verify_ledger.cpp).
boost::asio::awaitable<CheckResult> verify_typed_columns(db::Connection& db,
                                                         const VerifyOptions& options);
boost::asio::awaitable<CheckResult> verify_change_files(db::Connection& db, s3::ObjectStore* store,
                                                        const VerifyOptions& options);
boost::asio::awaitable<CheckResult> verify_watermark(db::Connection& db,
                                                     const VerifyOptions& options);
}  // namespace detail

}  // namespace ff::ingest
