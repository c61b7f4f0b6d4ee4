// SQL over reporting.v_fuel_fills / v_fuel_efficiency; JSON is built by PostgreSQL itself.
#include "read/queries.hpp"

#include <string>

namespace ff::read {
namespace {

// $1 period days, $2 from, $3 to, $4 department, $5 vehicle (each may be NULL).
// "Today" is the Nairobi calendar day whatever the session time zone. A NULL department is
// reported and matched as 'Unassigned'. Efficiency counts plausible rows only, so one odometer
// typo does not distort a vehicle's km/l. The average price is weighted by litres.
constexpr std::string_view kFuelFills = R"sql(
WITH bounds AS (
    SELECT coalesce($2::date, t.today - ($1::int - 1)) AS d_from,
           coalesce($3::date, t.today) AS d_to
    FROM (SELECT (now() AT TIME ZONE 'Africa/Nairobi')::date AS today) AS t
), fills AS (
    SELECT f.id, f.fill_date, f.reported_at, f.vehicle_reg, f.vehicle_number,
           coalesce(f.department, 'Unassigned') AS department, f.litres, f.amount
    FROM reporting.v_fuel_fills AS f CROSS JOIN bounds AS b
    WHERE f.fill_date BETWEEN b.d_from AND b.d_to
      AND ($4::text IS NULL OR lower(coalesce(f.department, 'Unassigned')) = lower($4::text))
      AND ($5::text IS NULL OR f.vehicle_reg = fuel.plate($5::text))
), eff AS (
    SELECT e.vehicle_reg, e.distance_km, e.litres
    FROM reporting.v_fuel_efficiency AS e JOIN fills AS f ON f.id = e.id
    WHERE e.plausible
), vehicle_eff AS (
    SELECT vehicle_reg, sum(distance_km) AS km,
           sum(distance_km) / NULLIF(sum(litres), 0) AS km_per_litre
    FROM eff GROUP BY vehicle_reg
), per_vehicle AS (
    SELECT f.vehicle_reg, max(f.vehicle_number) AS vehicle_number,
           (array_agg(f.department ORDER BY f.fill_date DESC, f.reported_at DESC NULLS LAST,
                      f.id DESC))[1] AS department,
           count(*) AS fills, coalesce(sum(f.litres), 0) AS litres,
           coalesce(sum(f.amount), 0) AS spend, max(f.fill_date) AS last_fill
    FROM fills AS f GROUP BY f.vehicle_reg
), per_department AS (
    SELECT department, count(*) AS fills, coalesce(sum(litres), 0) AS litres,
           coalesce(sum(amount), 0) AS spend
    FROM fills GROUP BY department
), per_day AS (
    SELECT g.day::date AS day, coalesce(sum(f.litres), 0) AS litres,
           coalesce(sum(f.amount), 0) AS spend
    FROM bounds AS b
    CROSS JOIN generate_series(b.d_from, b.d_to, interval '1 day') AS g(day)
    LEFT JOIN fills AS f ON f.fill_date = g.day::date
    GROUP BY g.day
)
SELECT json_build_object(
    'period', (SELECT json_build_object('from', d_from, 'to', d_to) FROM bounds),
    'totals', (
        SELECT json_build_object(
            'fills', count(*),
            'litres', round(coalesce(sum(litres), 0), 2),
            'spend', round(coalesce(sum(amount), 0), 2),
            'avg_price_per_litre', round(
                sum(amount) FILTER (WHERE litres > 0 AND amount IS NOT NULL)
                / NULLIF(sum(litres) FILTER (WHERE litres > 0 AND amount IS NOT NULL), 0), 2),
            'vehicles', count(DISTINCT vehicle_reg),
            'km', (SELECT sum(distance_km) FROM eff),
            'km_per_litre', (SELECT round(sum(distance_km) / NULLIF(sum(litres), 0), 2) FROM eff))
        FROM fills),
    'rows', coalesce((
        SELECT json_agg(json_build_object(
                   'vehicle_reg', v.vehicle_reg, 'vehicle_number', v.vehicle_number,
                   'department', v.department, 'fills', v.fills,
                   'litres', round(v.litres, 2), 'spend', round(v.spend, 2),
                   'km', ve.km, 'km_per_litre', round(ve.km_per_litre, 2),
                   'last_fill', v.last_fill)
                   ORDER BY v.spend DESC, v.vehicle_reg NULLS LAST)
        FROM per_vehicle AS v LEFT JOIN vehicle_eff AS ve ON ve.vehicle_reg = v.vehicle_reg), '[]'),
    'by_department', coalesce((
        SELECT json_agg(json_build_object(
                   'department', department, 'fills', fills,
                   'litres', round(litres, 2), 'spend', round(spend, 2))
                   ORDER BY spend DESC, department)
        FROM per_department), '[]'),
    'trend', coalesce((
        SELECT json_agg(json_build_object(
                   'date', day, 'litres', round(litres, 2), 'spend', round(spend, 2))
                   ORDER BY day)
        FROM per_day), '[]')
)::text
)sql";

// $1 limit, $2 department, $3 vehicle. Newest first by the view's own order of fills.
constexpr std::string_view kRecent = R"sql(
SELECT json_build_object('rows', coalesce(json_agg(json_build_object(
           'id', r.id, 'fill_date', r.fill_date, 'reported_at', r.reported_at,
           'vehicle_reg', r.vehicle_reg, 'vehicle_number', r.vehicle_number,
           'department', coalesce(r.department, 'Unassigned'), 'driver_name', r.driver_name,
           'station', r.station, 'litres', round(r.litres, 2),
           'price_per_litre', round(r.price_per_litre, 2), 'amount', round(r.amount, 2),
           'fuel_type', r.fuel_type, 'flags', to_json(r.flags))
           ORDER BY r.fill_date DESC NULLS LAST, r.reported_at DESC NULLS LAST, r.id DESC), '[]'))::text
FROM (
    SELECT f.* FROM reporting.v_fuel_fills AS f
    WHERE ($2::text IS NULL OR lower(coalesce(f.department, 'Unassigned')) = lower($2::text))
      AND ($3::text IS NULL OR f.vehicle_reg = fuel.plate($3::text))
    ORDER BY f.fill_date DESC NULLS LAST, f.reported_at DESC NULLS LAST, f.id DESC
    LIMIT $1::int
) AS r
)sql";

constexpr std::string_view kFilters = R"sql(
SELECT json_build_object(
    'departments', coalesce((
        SELECT json_agg(d.department ORDER BY d.department)
        FROM (SELECT DISTINCT coalesce(department, 'Unassigned') AS department
              FROM reporting.v_fuel_fills) AS d), '[]'),
    'vehicles', coalesce((
        SELECT json_agg(json_build_object('vehicle_reg', v.vehicle_reg,
                                          'vehicle_number', v.vehicle_number)
                        ORDER BY v.vehicle_reg)
        FROM (SELECT vehicle_reg, max(vehicle_number) AS vehicle_number
              FROM reporting.v_fuel_fills WHERE vehicle_reg IS NOT NULL
              GROUP BY vehicle_reg) AS v), '[]'),
    'date_range', (SELECT json_build_object('from', min(fill_date), 'to', max(fill_date))
                   FROM reporting.v_fuel_fills)
)::text
)sql";

// $1 period days, $2 from, $3 to, $4 department, $5 vehicle (required). The efficiency rows are
// those of every fill of the plate, so the period's first fill is measured from the reading
// before the period; the plate condition reaches inside the view's windows (it is their
// partition), so only this vehicle's fills are read. The tracker identity comes from any live
// fill of the plate, in the period or not.
constexpr std::string_view kEfficiency = R"sql(
WITH bounds AS (
    SELECT coalesce($2::date, t.today - ($1::int - 1)) AS d_from,
           coalesce($3::date, t.today) AS d_to
    FROM (SELECT (now() AT TIME ZONE 'Africa/Nairobi')::date AS today) AS t
), story AS (
    SELECT f.id, f.fill_date, f.reported_at, f.driver_name, f.station,
           coalesce(f.department, 'Unassigned') AS department, f.litres, f.price_per_litre,
           f.amount, f.odometer_km, f.full_tank, f.flags, e.prev_odometer_km, e.distance_km,
           e.km_per_litre, e.litres_per_100km, e.plausible, e.implausible_reason
    FROM reporting.v_fuel_fills AS f
    CROSS JOIN bounds AS b
    LEFT JOIN (SELECT * FROM reporting.v_fuel_efficiency
               WHERE vehicle_reg = fuel.plate($5::text)) AS e ON e.id = f.id
    WHERE f.vehicle_reg = fuel.plate($5::text)
      AND f.fill_date BETWEEN b.d_from AND b.d_to
      AND ($4::text IS NULL OR lower(coalesce(f.department, 'Unassigned')) = lower($4::text))
), tracker AS (
    SELECT t.vehicle_number, t.imei, t.device_name, t.vehicle_name
    FROM reporting.v_fuel_fills AS t
    WHERE t.vehicle_reg = fuel.plate($5::text) AND t.imei IS NOT NULL
    LIMIT 1
)
SELECT json_build_object(
    'period', (SELECT json_build_object('from', d_from, 'to', d_to) FROM bounds),
    'vehicle', json_build_object(
        'vehicle_reg', fuel.plate($5::text),
        'matched', EXISTS (SELECT 1 FROM tracker),
        'vehicle_number', (SELECT vehicle_number FROM tracker),
        'imei', (SELECT imei FROM tracker),
        'device_name', (SELECT device_name FROM tracker),
        'vehicle_name', (SELECT vehicle_name FROM tracker)),
    'totals', (
        SELECT json_build_object(
            'fills', count(*),
            'litres', round(coalesce(sum(litres), 0), 2),
            'spend', round(coalesce(sum(amount), 0), 2),
            'km', sum(distance_km) FILTER (WHERE plausible),
            'km_per_litre', round(sum(distance_km) FILTER (WHERE plausible)
                                  / NULLIF(sum(litres) FILTER (WHERE plausible), 0), 2),
            'implausible', count(*) FILTER (WHERE plausible = false))
        FROM story),
    'rows', coalesce((
        SELECT json_agg(json_build_object(
                   'id', id, 'fill_date', fill_date, 'reported_at', reported_at,
                   'driver_name', driver_name, 'station', station, 'department', department,
                   'litres', round(litres, 2), 'price_per_litre', round(price_per_litre, 2),
                   'amount', round(amount, 2), 'odometer_km', odometer_km,
                   'prev_odometer_km', prev_odometer_km, 'distance_km', distance_km,
                   'km_per_litre', km_per_litre, 'litres_per_100km', litres_per_100km,
                   'plausible', plausible, 'implausible_reason', implausible_reason,
                   'full_tank', full_tank, 'flags', to_json(flags))
                   ORDER BY fill_date, reported_at NULLS LAST, id)
        FROM story), '[]')
)::text
)sql";

db::Param optional_int(const std::optional<int>& v) {
    return v ? db::Param(std::to_string(*v)) : std::nullopt;
}

}  // namespace

Statement fuel_fills_statement(const FillsFilter& f) {
    return {kFuelFills, {optional_int(f.period_days), f.from, f.to, f.department, f.vehicle}};
}

Statement recent_fills_statement(const FillsFilter& subject, int limit) {
    return {kRecent, {std::to_string(limit), subject.department, subject.vehicle}};
}

Statement filters_statement() {
    return {kFilters, {}};
}

Statement efficiency_statement(const FillsFilter& f) {
    return {kEfficiency, {optional_int(f.period_days), f.from, f.to, f.department, f.vehicle}};
}

}  // namespace ff::read
