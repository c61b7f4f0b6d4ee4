// What the snapshot and change-file pipelines share: COPY text encoding, reject rows, reading the
// apply functions' jsonb counts, and quiet rollback (for verify's read-only transaction).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ingest.hpp"
#include "parse/typed_columns.hpp"

namespace ff::db {
class Connection;
}

namespace ff::ingest::detail {

constexpr std::size_t kRejectTextCap = 64 * 1024;

// Appends one COPY text-format field (escaped) or \N for nullopt; `last` ends the line.
void copy_field(std::string& out, std::string_view value, bool last = false);
void copy_null(std::string& out, bool last = false);
inline void copy_opt(std::string& out, const std::optional<std::string>& v, bool last = false) {
    if (v)
        copy_field(out, *v, last);
    else
        copy_null(out, last);
}

// Appends the `typed` flag and the typed columns of a row: all \N (and the flag false) when the
// database is to normalise it.
void copy_typed(std::string& out, const std::optional<parse::TypedColumns>& typed,
                bool last = false);

// "COPY <table> (<head>, typed, <the typed column set>) FROM STDIN": the statement for lines that
// end with copy_typed, naming every column so that it does not depend on the table's order.
std::string copy_rows_sql(std::string_view table, std::string_view head);

// Text PostgreSQL accepts: invalid UTF-8 and NUL bytes replaced, cut to `cap` bytes on a
// character boundary.
std::string clean_text(std::string_view text, std::size_t cap = kRejectTextCap);

// {1,2,3} for an id = ANY($1::bigint[]) parameter.
std::string bigint_array(const std::vector<long long>& ids);
// {"a","b\"c"} for a key = ANY($1::text[]) parameter: every element quoted, '"' and '\' escaped.
std::string text_array(const std::vector<std::string_view>& values);

struct RejectRow {
    std::string kind;  // file | row | snapshot_refused | sanitised | etag_changed
    std::optional<long long> record_id;
    std::string reason;
    std::string raw_text;
};

struct ApplyOutcome {
    Counts counts;
    std::string refused;  // empty, or the guard's reason (apply_snapshot)
    bool forced = false;
    std::string detail;  // the function's whole answer, for messages
};
// Reads fuel.apply_snapshot's or fuel.apply_change_file's answer: a refusal, or every count of
// source apply (count_fields) and the flags. Throws std::runtime_error naming what the answer
// lacks: the SQL installed and this binary disagree.
ApplyOutcome parse_apply_result(std::string_view json);

// ROLLBACK when the connection can still take it; never throws.
boost::asio::awaitable<void> rollback_quietly(db::Connection& db);

}  // namespace ff::ingest::detail
