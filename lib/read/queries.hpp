// The read side's SQL: each endpoint is one parameterised statement returning one JSON text.
#pragma once

#include <string_view>

#include "db/connection.hpp"
#include "read/params.hpp"

namespace ff::read {

struct Statement {
    std::string_view sql;
    db::Params params;
};

Statement fuel_fills_statement(const FillsFilter& filter);
Statement recent_fills_statement(const FillsFilter& subject, int limit);
Statement filters_statement();
// One vehicle's fills in the period with their efficiency (filter.vehicle is set).
Statement efficiency_statement(const FillsFilter& filter);
// What needs attention in the period (attention_query.cpp).
Statement attention_statement(const AttentionQuery& query);

}  // namespace ff::read
