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

}  // namespace ff::read
