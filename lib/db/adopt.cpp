// Moving a foreign fuel schema and reporting views aside (see adopt.hpp for what is checked).
#include "db/adopt.hpp"

#include <fmt/format.h>

#include <map>

namespace ff::db {
namespace {

using boost::asio::awaitable;

// The relations that move: fuel's (when fuel itself moves, $1) and the reporting views present
// ($2). Shared by the lock and the dependency queries.
constexpr std::string_view kMovedRelations = R"sql(
    SELECT c.oid FROM pg_class AS c
    WHERE ($1 AND c.relnamespace = to_regnamespace('fuel'))
       OR c.oid = ANY (ARRAY(SELECT to_regclass(v) FROM unnest($2::text[]) AS v))
)sql";

// Every recorded dependency of an object that stays onto one that moves. An object "moves" when
// it lives in fuel (and fuel moves) or belongs to a moved relation (its rules, triggers,
// constraints, defaults, policies, row type). Anything else, including objects outside any schema
// (publications, extensions), stays and so blocks. Rules are reported as their view.
constexpr std::string_view kDependantsSql = R"sql(
WITH moved AS ({moved}),
fuel AS (SELECT CASE WHEN $1 THEN to_regnamespace('fuel') END AS oid),
classified AS (
    SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid,
           coalesce(CASE d.classid
               WHEN 'pg_class'::regclass THEN d.objid IN (SELECT oid FROM moved)
               WHEN 'pg_rewrite'::regclass THEN
                   (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid) IN (SELECT oid FROM moved)
               WHEN 'pg_trigger'::regclass THEN
                   (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid) IN (SELECT oid FROM moved)
               WHEN 'pg_attrdef'::regclass THEN
                   (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid) IN (SELECT oid FROM moved)
               WHEN 'pg_policy'::regclass THEN
                   (SELECT polrelid FROM pg_policy WHERE oid = d.objid) IN (SELECT oid FROM moved)
               WHEN 'pg_constraint'::regclass THEN
                   (SELECT conrelid FROM pg_constraint WHERE oid = d.objid) IN (SELECT oid FROM moved)
                   OR (SELECT connamespace FROM pg_constraint WHERE oid = d.objid) = (SELECT oid FROM fuel)
               WHEN 'pg_type'::regclass THEN
                   (SELECT typrelid FROM pg_type WHERE oid = d.objid) IN (SELECT oid FROM moved)
                   OR (SELECT typnamespace FROM pg_type WHERE oid = d.objid) = (SELECT oid FROM fuel)
               WHEN 'pg_proc'::regclass THEN
                   (SELECT pronamespace FROM pg_proc WHERE oid = d.objid) = (SELECT oid FROM fuel)
               ELSE (pg_identify_object(d.classid, d.objid, 0)).schema = 'fuel' AND $1
           END, false) AS stays_moved,
           coalesce(CASE d.refclassid
               WHEN 'pg_class'::regclass THEN d.refobjid IN (SELECT oid FROM moved)
               WHEN 'pg_namespace'::regclass THEN d.refobjid = (SELECT oid FROM fuel)
               WHEN 'pg_type'::regclass THEN
                   (SELECT typnamespace FROM pg_type WHERE oid = d.refobjid) = (SELECT oid FROM fuel)
                   OR (SELECT typrelid FROM pg_type WHERE oid = d.refobjid) IN (SELECT oid FROM moved)
               WHEN 'pg_proc'::regclass THEN
                   (SELECT pronamespace FROM pg_proc WHERE oid = d.refobjid) = (SELECT oid FROM fuel)
               ELSE (pg_identify_object(d.refclassid, d.refobjid, 0)).schema = 'fuel' AND $1
           END, false) AS ref_moves
    FROM pg_depend AS d
    WHERE d.deptype IN ('n', 'a')
)
SELECT coalesce(v.type || ' ' || v.identity, o.type || ' ' || o.identity) AS dependant,
       string_agg(DISTINCT r.type || ' ' || r.identity, ', ') AS on_objects
FROM classified AS c
CROSS JOIN LATERAL pg_identify_object(c.classid, c.objid, 0) AS o
CROSS JOIN LATERAL pg_identify_object(c.refclassid, c.refobjid, 0) AS r
LEFT JOIN LATERAL (
    SELECT vo.type, vo.identity
    FROM pg_rewrite AS w, LATERAL pg_identify_object('pg_class'::regclass, w.ev_class, 0) AS vo
    WHERE c.classid = 'pg_rewrite'::regclass AND w.oid = c.objid
) AS v ON true
WHERE c.ref_moves AND NOT c.stays_moved
GROUP BY 1
ORDER BY 1
)sql";

// Function bodies are text to PostgreSQL: one that names fuel.* or a reporting view records no
// dependency, so it can only be found by reading the text (heuristically, hence a warning).
constexpr std::string_view kNamedInBodiesSql = R"sql(
SELECT format('function %s%s', p.oid::regprocedure,
              CASE WHEN p.pronamespace = to_regnamespace('fuel')
                   THEN ' (moves with fuel; the names in its body now mean FleetFuel''s objects)'
                   ELSE '' END)
FROM pg_proc AS p
JOIN pg_language AS l ON l.oid = p.prolang
WHERE p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  AND l.lanname NOT IN ('c', 'internal')
  AND (p.prosrc ~* '\mfuel\s*\.' OR p.prosrc ~* '\mv_fuel_(fills|efficiency)\M')
ORDER BY 1
)sql";

Params moved_params(const SchemaState& state) {
    std::string views = "{";
    for (const auto& v : state.views) views += (views.size() > 1 ? "," : "") + v;
    return {state.fuel_foreign ? "true" : "false", views + "}"};
}

std::string replace_moved(std::string_view sql) {
    std::string out(sql);
    const auto at = out.find("{moved}");
    if (at != std::string::npos) out.replace(at, 7, kMovedRelations);
    return out;
}

// ACCESS EXCLUSIVE on every table and view that moves: no reader sees half a move, and nobody can
// add a dependant while it is checked. LOCK takes neither sequences nor materialised views; they
// move with the schema all the same.
awaitable<void> lock_moved(Connection& conn, const SchemaState& state) {
    auto lock = co_await conn.exec(
        "SELECT 'LOCK TABLE ' || string_agg(format('%I.%I', n.nspname, c.relname), ', ') || "
        "' IN ACCESS EXCLUSIVE MODE' FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = "
        "c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'f') AND c.oid IN (" +
            std::string(kMovedRelations) + ")",
        moved_params(state));
    if (!lock.is_null(0, 0)) co_await conn.exec(lock.get(0, 0));
}

awaitable<void> refuse_dependants(Connection& conn, const SchemaState& state,
                                  const std::string& target) {
    auto r = co_await conn.exec(replace_moved(kDependantsSql), moved_params(state));
    if (r.rows() == 0) co_return;
    std::string list;
    for (int i = 0; i < r.rows(); ++i)
        list += fmt::format("{}{} (on {})", i ? "; " : "", r.get(i, 0), r.get(i, 1));
    throw AdoptRefused(fmt::format(
        "adopting refused: {} object{} outside what moves depend{} on it and would silently keep "
        "reading the frozen copy in {}: {}. Nothing was changed. Drop them (or point them "
        "elsewhere), run fleetfuel migrate --adopt-existing again, then recreate them on "
        "FleetFuel's objects",
        r.rows(), r.rows() == 1 ? "" : "s", r.rows() == 1 ? "s" : "", target, list));
}

awaitable<std::vector<std::string>> named_in_text(Connection& conn) {
    std::vector<std::string> out;
    auto functions = co_await conn.exec(kNamedInBodiesSql);
    for (int i = 0; i < functions.rows(); ++i) out.emplace_back(functions.get(i, 0));
    // pg_cron keeps its jobs' SQL as text too; reading it needs a privilege we may not have, and
    // an error here would abort the whole adoption, so ask first.
    auto cron = co_await conn.exec(
        "SELECT to_regclass('cron.job') IS NOT NULL AND "
        "has_table_privilege(to_regclass('cron.job'), 'SELECT')");
    if (cron.get(0, 0) == "t") {
        auto jobs = co_await conn.exec(
            "SELECT format('pg_cron job %s (%s)', jobid, left(command, 80)) FROM cron.job "
            "WHERE command ~* '\\mfuel\\s*\\.' OR command ~* '\\mv_fuel_(fills|efficiency)\\M' "
            "ORDER BY jobid");
        for (int i = 0; i < jobs.rows(); ++i) out.emplace_back(jobs.get(i, 0));
    }
    co_return out;
}

awaitable<std::string> free_legacy_name(Connection& conn) {
    auto r = co_await conn.exec(
        "SELECT n FROM (SELECT 'fuel_legacy' AS n, 1 AS i UNION ALL "
        "SELECT 'fuel_legacy_' || g, g FROM generate_series(2, 999) AS g) AS c "
        "WHERE to_regnamespace(n) IS NULL ORDER BY i LIMIT 1");
    if (r.rows() == 0) throw MigrateError("adopting refused: fuel_legacy to fuel_legacy_999 exist");
    co_return std::string(r.get(0, 0));
}

// reporting.<view> into `target`, under its own name unless fuel already had a relation or type
// of that name (then <view>_from_reporting). Tables and materialised views are moved alike.
awaitable<std::string> move_view(Connection& conn, const std::string& view,
                                 const std::string& target) {
    const auto name = view.substr(view.find('.') + 1);
    Params params{view, target, name};
    auto r = co_await conn.exec(
        "SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' "
        "  WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, "
        "  EXISTS (SELECT 1 FROM pg_class "
        "          WHERE relnamespace = to_regnamespace($2::text) AND relname = $3) "
        "  OR EXISTS (SELECT 1 FROM pg_type "
        "             WHERE typnamespace = to_regnamespace($2::text) AND typname = $3) "
        "FROM pg_class AS c WHERE c.oid = to_regclass($1::text)",
        params);
    const std::string kind(r.get(0, 0));
    std::string moved_name = name;
    if (r.get(0, 1) == "t") {
        moved_name = name + "_from_reporting";
        Params rename{kind, view, moved_name};
        auto sql = co_await conn.exec(
            "SELECT format('ALTER %s %s RENAME TO %I', $1::text, $2::text, $3::text)", rename);
        co_await conn.exec(sql.get(0, 0));
    }
    Params move{kind, "reporting." + moved_name, target};
    auto sql = co_await conn.exec(
        "SELECT format('ALTER %s %s SET SCHEMA %I', $1::text, $2::text, $3::text)", move);
    co_await conn.exec(sql.get(0, 0));
    co_return fmt::format("{} {} -> {}.{}", kind == "VIEW" ? "view" : "relation", view, target,
                          moved_name);
}

}  // namespace

awaitable<AdoptReport> move_aside(Connection& conn, const SchemaState& state) {
    AdoptReport report;
    report.legacy_schema = co_await free_legacy_name(conn);
    const std::string& target = report.legacy_schema;
    co_await lock_moved(conn, state);
    co_await refuse_dependants(conn, state, target);
    report.warnings = co_await named_in_text(conn);

    Params schema{target};
    if (state.fuel_foreign) {
        auto sql =
            co_await conn.exec("SELECT format('ALTER SCHEMA fuel RENAME TO %I', $1::text)", schema);
        co_await conn.exec(sql.get(0, 0));
        report.moved.push_back("schema fuel -> " + target + " with " +
                               describe_fuel(state, target));
    } else {
        auto sql = co_await conn.exec("SELECT format('CREATE SCHEMA %I', $1::text)", schema);
        co_await conn.exec(sql.get(0, 0));
    }
    for (const auto& view : state.views)
        report.moved.push_back(co_await move_view(conn, view, target));

    Params comment{target};
    auto sql = co_await conn.exec(
        "SELECT format('COMMENT ON SCHEMA %I IS %L', $1::text, 'Moved aside by fleetfuel migrate "
        "--adopt-existing on ' || to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || "
        "' UTC (the fuel schema and reporting views of the tool FleetFuel replaced). FleetFuel "
        "never reads or writes it; see docs/runbook.md, \"Replacing import_fuel.py\".')",
        comment);
    co_await conn.exec(sql.get(0, 0));
    co_return report;
}

}  // namespace ff::db
