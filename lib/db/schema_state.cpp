// Reads the catalog to tell an empty, a FleetFuel and a foreign database apart (see the header).
#include "db/schema_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace ff::db {
namespace {

using boost::asio::awaitable;

// FleetFuel's history table is recognised by its columns: the Python tool (or a DBA) may have
// made a fuel.schema_migrations of its own, and its rows would say nothing about FleetFuel.
constexpr std::string_view kOverviewSql = R"sql(
SELECT to_regnamespace('fuel') IS NOT NULL,
       (SELECT count(*) FROM pg_attribute AS a
        WHERE a.attrelid = to_regclass('fuel.schema_migrations') AND NOT a.attisdropped
          AND a.attname = ANY ('{script,version,description,kind,checksum,installed_at,execution_ms}'))
         = 7,
       array_to_string(ARRAY(SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS u (v, n)
                             WHERE to_regclass(v) IS NOT NULL ORDER BY n), ','),
       array_to_string(ARRAY(SELECT nspname::text FROM pg_namespace
                             WHERE nspname ~ '^fuel_legacy(_[0-9]+)?$'
                             ORDER BY length(nspname), nspname), ',')
)sql";

// Every object created directly in fuel (indexes, rules, row types and the like belong to one
// of these and are not listed). identity is quoted by the server, safe to put into SQL.
constexpr std::string_view kObjectsSql = R"sql(
SELECT o.type, o.identity
FROM pg_depend AS d, LATERAL pg_identify_object(d.classid, d.objid, 0) AS o
WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = to_regnamespace('fuel')
  AND d.deptype = 'n'
ORDER BY o.type, o.identity
)sql";

constexpr std::size_t kTablesCounted = 20;  // a message lists at most this many

std::vector<std::string> split_commas(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        out.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

Params view_names() {
    std::string list = "{";
    for (const char* v : kReportingViews) list += std::string(list.size() > 1 ? "," : "") + v;
    return {list + "}"};
}

awaitable<void> count_rows(Connection& conn, std::vector<TableRows>& tables) {
    if (tables.empty()) co_return;
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < tables.size() && i < kTablesCounted; ++i)
        sql += fmt::format("{}(SELECT count(*) FROM (SELECT 1 FROM {} LIMIT {}) AS s)",
                           i ? ", " : "", tables[i].name, kRowCountCap + 1);
    auto r = co_await conn.exec(sql);
    for (int i = 0; i < r.columns(); ++i) {
        const auto n = r.get_int(0, i);
        tables[i].more = n > kRowCountCap;
        tables[i].rows = std::min<std::int64_t>(n, kRowCountCap);
    }
}

// "1 function", "2 sequences", "1 materialized view": the kinds of the other objects, counted.
std::string summarise_kinds(const std::vector<FoundObject>& objects) {
    std::map<std::string, int> kinds;
    for (const auto& o : objects) ++kinds[o.type];
    std::string out;
    for (const auto& [kind, n] : kinds)
        out += fmt::format("{}{} {}{}", out.empty() ? "" : ", ", n, kind, n == 1 ? "" : "s");
    return out;
}

}  // namespace

const char* to_string(SchemaKind kind) {
    switch (kind) {
        case SchemaKind::none:
            return "none";
        case SchemaKind::fleetfuel:
            return "fleetfuel";
        case SchemaKind::foreign:
            return "foreign";
    }
    return "?";
}

awaitable<SchemaState> inspect_schema(Connection& conn, bool count) {
    SchemaState state;
    auto overview = co_await conn.exec(kOverviewSql, view_names());
    const bool has_fuel = overview.get(0, 0) == "t";
    const bool has_history_table = overview.get(0, 1) == "t";
    state.legacy_schemas = split_commas(overview.get(0, 3));
    if (has_history_table) {
        auto history = co_await conn.exec(
            "SELECT count(*), coalesce(max(version), 0) FROM fuel.schema_migrations");
        if (history.get_int(0, 0) > 0) {
            state.kind = SchemaKind::fleetfuel;
            state.version = static_cast<int>(history.get_int(0, 1));
            co_return state;
        }
    }
    // No FleetFuel history: whatever is there was made by someone else. An empty history table
    // of FleetFuel's shape is what a FleetFuel left when its first migration failed.
    state.views = split_commas(overview.get(0, 2));
    if (has_fuel) {
        auto objects = co_await conn.exec(kObjectsSql);
        for (int i = 0; i < objects.rows(); ++i) {
            const std::string type(objects.get(i, 0));
            std::string identity(objects.get(i, 1));
            if (has_history_table && identity == "fuel.schema_migrations") continue;
            state.fuel_foreign = true;
            if (type == "table" || type == "partitioned table")
                state.tables.push_back({std::move(identity)});
            else
                state.other_objects.push_back({type, std::move(identity)});
        }
    }
    if (state.fuel_foreign || !state.views.empty()) state.kind = SchemaKind::foreign;
    if (state.kind == SchemaKind::foreign && count) co_await count_rows(conn, state.tables);
    co_return state;
}

std::string describe_fuel(const SchemaState& state, const std::string& schema) {
    std::string tables;
    for (std::size_t i = 0; i < state.tables.size() && i < kTablesCounted; ++i) {
        const auto& t = state.tables[i];
        const auto name = schema + t.name.substr(t.name.find('.'));
        tables += fmt::format("{}{} ({}{} row{})", tables.empty() ? "" : ", ", name,
                              t.more ? "more than " : "", t.rows, t.rows == 1 ? "" : "s");
    }
    if (state.tables.size() > kTablesCounted)
        tables += fmt::format(" and {} more", state.tables.size() - kTablesCounted);
    std::string out = tables.empty() ? "no tables" : "tables " + tables;
    if (!state.other_objects.empty()) out += "; " + summarise_kinds(state.other_objects);
    return out;
}

std::string describe_found(const SchemaState& state) {
    std::string out;
    if (state.fuel_foreign)
        out = "schema fuel with " + describe_fuel(state);
    else if (!state.views.empty())
        out = "no fuel schema";
    if (!state.views.empty()) {
        out += "; views ";
        for (std::size_t i = 0; i < state.views.size(); ++i)
            out += (i ? ", " : "") + state.views[i];
    }
    return out;
}

ForeignSchemaError::ForeignSchemaError(const SchemaState& state)
    : MigrateError(
          "this database already has a fuel schema or reporting views that FleetFuel did not "
          "create (no FleetFuel migration history): " +
          describe_found(state) +
          ". Nothing was changed. To move them aside (fuel becomes fuel_legacy, every row kept) "
          "and create FleetFuel's schema, stop the old importer and run: fleetfuel migrate "
          "--adopt-existing (docs/runbook.md, \"Replacing import_fuel.py\")") {}

awaitable<void> refuse_foreign_schema(Connection& conn) {
    const auto state = co_await inspect_schema(conn);
    if (state.kind == SchemaKind::foreign) throw ForeignSchemaError(state);
}

awaitable<void> require_fleetfuel_schema(Connection& conn) {
    const auto state = co_await inspect_schema(conn);
    if (state.kind == SchemaKind::foreign) throw ForeignSchemaError(state);
    if (state.kind == SchemaKind::none)
        throw MigrateError("the fuel schema is missing in " + conn.describe() +
                           ": run `fleetfuel migrate` first");
}

}  // namespace ff::db
