// /analytics/fuel-fills.csv: the period's fills as CSV, read and sent a batch at a time.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <variant>

#include "http/routes.hpp"
#include "read/params.hpp"
#include "read/query_runner.hpp"

namespace ff::read {

// Fills per batch: one batch of CSV text (about 250 KB) is what the export holds in memory.
inline constexpr int kExportBatchRows = 1000;

// Runs the export's first batch. On success, a 200 response whose body is the header row and
// that batch and, when there may be more, whose `more` reads the next batch each time it is
// called; else the runner's failure, which is still an ordinary status since nothing was sent.
//
// Each batch is a statement of its own on `runner` (the pool, its queue, FUEL_ANALYTICS_TIMEOUT,
// the reader role), keyed by id after the last one sent, with the period's dates fixed by the
// first. So the export holds a database connection only while a batch runs, never while the
// client reads, and the deadline bounds every batch but not the download, whose length is the
// client's. Every live fill appears at most once, in its state when its batch was read.
boost::asio::awaitable<std::variant<http::Response, QueryAnswer>> start_fills_csv(
    std::shared_ptr<QueryRunner> runner, FillsFilter filter);

}  // namespace ff::read
