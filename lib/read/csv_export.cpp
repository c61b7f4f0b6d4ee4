// The CSV export: its columns, its keyset-paged statement, and the batches written as RFC 4180.
#include "read/csv_export.hpp"

#include <limits>
#include <stdexcept>
#include <string>

#include "read/csv.hpp"

namespace ff::read {
namespace {

struct Column {
    std::string_view name;
    CsvCell kind;
};

// The CSV's columns, in the order kBatch selects them after the period's two dates.
constexpr Column kColumns[] = {
    {"id", CsvCell::value},
    {"fill_date", CsvCell::value},
    {"reported_at", CsvCell::value},
    {"vehicle_reg", CsvCell::text},
    {"vehicle_reg_raw", CsvCell::text},
    {"vehicle_number", CsvCell::text},
    {"imei", CsvCell::text},
    {"device_name", CsvCell::text},
    {"driver_name", CsvCell::text},
    {"department", CsvCell::text},
    {"station", CsvCell::text},
    {"fuel_type", CsvCell::text},
    {"litres", CsvCell::value},
    {"price_per_litre", CsvCell::value},
    {"amount", CsvCell::value},
    {"odometer_km", CsvCell::value},
    {"payment_method", CsvCell::text},
    {"receipt_no", CsvCell::text},
    {"full_tank", CsvCell::value},
    {"flags", CsvCell::value},
    {"notes", CsvCell::text},
};
constexpr int kFirstColumn = 2;  // after d_from and d_to

// $1 period days, $2 from, $3 to, $4 department, $5 vehicle, $6 after this id, $7 batch size.
// Always at least one row, so that the period's dates come back also when no fill does (then the
// fill columns are NULL). reported_at is Nairobi time, UTC+3 all year (contract section 4);
// money and litres have two decimals, as in the JSON endpoints.
constexpr std::string_view kBatch = R"sql(
WITH bounds AS (
    SELECT coalesce($2::date, t.today - ($1::int - 1)) AS d_from,
           coalesce($3::date, t.today) AS d_to
    FROM (SELECT (now() AT TIME ZONE 'Africa/Nairobi')::date AS today) AS t
)
SELECT to_char(b.d_from, 'YYYY-MM-DD'), to_char(b.d_to, 'YYYY-MM-DD'),
       f.id, to_char(f.fill_date, 'YYYY-MM-DD'),
       to_char(f.reported_at AT TIME ZONE 'Africa/Nairobi', 'YYYY-MM-DD"T"HH24:MI:SS"+03:00"'),
       f.vehicle_reg, f.vehicle_reg_raw, f.vehicle_number, f.imei, f.device_name, f.driver_name,
       coalesce(f.department, 'Unassigned'), f.station, f.fuel_type, round(f.litres, 2),
       round(f.price_per_litre, 2), round(f.amount, 2), f.odometer_km, f.payment_method,
       f.receipt_no, f.full_tank::text,
       array_to_string(f.flags, ' '), f.notes
FROM bounds AS b
LEFT JOIN LATERAL (
    SELECT v.* FROM reporting.v_fuel_fills AS v
    WHERE v.fill_date BETWEEN b.d_from AND b.d_to
      AND ($4::text IS NULL OR lower(coalesce(v.department, 'Unassigned')) = lower($4::text))
      AND ($5::text IS NULL OR v.vehicle_reg = fuel.plate($5::text))
      AND v.id > $6::bigint
    ORDER BY v.id
    LIMIT $7::int
) AS f ON true
ORDER BY f.id
)sql";

struct Cursor {
    std::shared_ptr<QueryRunner> runner;
    FillsFilter filter;
    long long after = std::numeric_limits<long long>::min();  // the last id sent
    bool done = false;
};

Statement batch_statement(const Cursor& c) {
    const auto& f = c.filter;
    return {kBatch,
            {f.period_days ? db::Param(std::to_string(*f.period_days)) : std::nullopt, f.from, f.to,
             f.department, f.vehicle, std::to_string(c.after), std::to_string(kExportBatchRows)}};
}

std::string header_row() {
    std::string out;
    for (const auto& column : kColumns) {
        if (!out.empty()) out += ',';
        append_csv_field(out, column.name, CsvCell::value);
    }
    end_csv_record(out);
    return out;
}

// Appends the batch's fills to `out` and moves the cursor past them.
void append_batch(const db::Result& rows, Cursor& c, std::string& out) {
    int fills = 0;
    for (int r = 0; r < rows.rows(); ++r) {
        if (rows.is_null(r, kFirstColumn)) continue;  // the period has no fill (left)
        for (int i = 0; i < static_cast<int>(std::size(kColumns)); ++i) {
            if (i > 0) out += ',';
            append_csv_field(out, rows.get(r, kFirstColumn + i), kColumns[i].kind);
        }
        end_csv_record(out);
        c.after = rows.get_int(r, kFirstColumn);
        ++fills;
    }
    if (fills < kExportBatchRows) c.done = true;
}

// The next piece of the body; empty at the end. A free coroutine so that its frame owns the
// cursor. A failure throws: the server then cuts the response short.
boost::asio::awaitable<std::string> next_batch(std::shared_ptr<Cursor> c) {
    if (c->done) co_return std::string{};
    auto answer = co_await c->runner->run_rows(batch_statement(*c));
    if (answer.status != 200) throw std::runtime_error("the CSV export stopped: " + answer.text);
    std::string out;
    append_batch(answer.rows, *c, out);
    co_return out;
}

}  // namespace

boost::asio::awaitable<std::variant<http::Response, QueryAnswer>> start_fills_csv(
    std::shared_ptr<QueryRunner> runner, FillsFilter filter) {
    auto cursor = std::make_shared<Cursor>(Cursor{std::move(runner), std::move(filter)});
    auto answer = co_await cursor->runner->run_rows(batch_statement(*cursor));
    if (answer.status != 200) co_return QueryAnswer{answer.status, std::move(answer.text)};
    if (answer.rows.rows() < 1) co_return QueryAnswer{500, "internal error"};

    // Later batches read the same dates, even when the day changes during the download.
    const std::string from(answer.rows.get(0, 0));
    const std::string to(answer.rows.get(0, 1));
    cursor->filter.period_days.reset();
    cursor->filter.from = from;
    cursor->filter.to = to;

    std::string body = header_row();
    append_batch(answer.rows, *cursor, body);
    http::Response response{200,
                            "text/csv; charset=utf-8; header=present",
                            std::move(body),
                            {{"Cache-Control", "no-store"},
                             {"X-Content-Type-Options", "nosniff"},
                             {"Content-Disposition", "attachment; filename=\"fuel-fills-" + from +
                                                         "-to-" + to + ".csv\""}}};
    if (!cursor->done) response.more = [cursor] { return next_batch(cursor); };
    co_return response;
}

}  // namespace ff::read
