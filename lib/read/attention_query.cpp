// The SQL of /analytics/fuel-fills/attention: the fills and plates of a period that need a look.
#include <string>

#include "read/queries.hpp"

namespace ff::read {
namespace {

// $1 period days, $2 from, $3 to, $4 department, $5 vehicle, $6 refill hours, $7 limit.
// One item per fill and reason (a fill can be listed for two reasons), one per unmatched plate.
// The filters choose which fills are listed; what a fill is compared with is every live fill: a
// receipt reused in another department, or a refill hours after a fill of the day before the
// period, still counts. `detail` says why in words; `reason` is the stable code.
constexpr std::string_view kAttention = R"sql(
WITH bounds AS (
    SELECT coalesce($2::date, t.today - ($1::int - 1)) AS d_from,
           coalesce($3::date, t.today) AS d_to
    FROM (SELECT (now() AT TIME ZONE 'Africa/Nairobi')::date AS today) AS t
), fills AS (
    SELECT f.id, f.fill_date, f.reported_at, f.vehicle_reg, f.vehicle_number,
           coalesce(f.department, 'Unassigned') AS department, f.driver_name, f.litres,
           f.price_per_litre, f.amount, f.receipt_no, f.flags
    FROM reporting.v_fuel_fills AS f CROSS JOIN bounds AS b
    WHERE f.fill_date BETWEEN b.d_from AND b.d_to
      AND ($4::text IS NULL OR lower(coalesce(f.department, 'Unassigned')) = lower($4::text))
      AND ($5::text IS NULL OR f.vehicle_reg = fuel.plate($5::text))
), flagged AS (
    -- The numbers disagree, or could not be read (contract section 4's flags).
    SELECT f.id, flag AS reason,
           CASE flag
               WHEN 'price_mismatch' THEN format(
                   '%s l at %s a litre is %s, but the amount is %s (more than 2 %% apart)',
                   round(f.litres, 2), round(f.price_per_litre, 2),
                   round(f.litres * f.price_per_litre, 2), round(f.amount, 2))
               WHEN 'unparseable_number' THEN
                   'a number in the report (litres, price, amount or odometer) could not be read'
               ELSE 'the fill date could not be read; the day the report was sent stands in'
           END AS detail,
           NULL::bigint[] AS related_ids
    FROM fills AS f CROSS JOIN LATERAL unnest(f.flags) AS flag
    WHERE flag IN ('price_mismatch', 'unparseable_number', 'unreadable_date')
), implausible AS (
    SELECT e.id, 'implausible_efficiency' AS reason,
           CASE e.implausible_reason
               WHEN 'odometer_backwards' THEN format(
                   'odometer %s km is below the previous reading, %s km',
                   e.odometer_km, e.prev_odometer_km)
               WHEN 'odometer_unchanged' THEN format(
                   'odometer %s km, the same as at the previous fill', e.odometer_km)
               WHEN 'no_litres' THEN 'no litres recorded'
               WHEN 'km_per_litre_low' THEN format(
                   '%s km/l over %s km: more fuel than the distance explains',
                   e.km_per_litre, e.distance_km)
               ELSE format('%s km/l over %s km: a fill missing, or the odometer mistyped',
                           e.km_per_litre, e.distance_km)
           END AS detail,
           NULL::bigint[] AS related_ids
    FROM reporting.v_fuel_efficiency AS e JOIN fills AS f ON f.id = e.id
    WHERE e.plausible = false
), keyed AS (
    -- Receipts are compared by their ASCII letters and digits in upper case ('r-00123' is
    -- 'R00123'), the same in every database; one without a digit ('N/A', 'none') is no number.
    SELECT a.id, upper(regexp_replace(a.receipt_no, '[^A-Za-z0-9]+', '', 'g') COLLATE "C") AS rkey
    FROM reporting.v_fuel_fills AS a
    WHERE a.receipt_no ~ '[0-9]'
), reused AS (
    SELECT k.rkey, array_agg(k.id ORDER BY k.id) AS ids
    FROM keyed AS k
    WHERE k.rkey IN (SELECT kk.rkey FROM keyed AS kk JOIN fills AS f ON f.id = kk.id)
    GROUP BY k.rkey
    HAVING count(*) > 1
), duplicated AS (
    SELECT f.id, 'duplicate_receipt' AS reason,
           format('receipt %s is also on fill%s %s', f.receipt_no,
                  CASE WHEN cardinality(r.ids) > 2 THEN 's' ELSE '' END,
                  array_to_string(array_remove(r.ids, f.id), ', ')) AS detail,
           array_remove(r.ids, f.id) AS related_ids
    FROM fills AS f JOIN keyed AS k ON k.id = f.id JOIN reused AS r ON r.rkey = k.rkey
), refills AS (
    -- The same vehicle's previous report, by the time it was sent. Only reports from the window
    -- before the period's first one on can be that close to one of the period, so only those
    -- are ordered (the others could only be a previous report too far back to count).
    SELECT x.id, 'quick_refill' AS reason,
           format('%s h %s min after fill %s of the same vehicle',
                  x.minutes / 60, lpad((x.minutes % 60)::text, 2, '0'), x.prev_id) AS detail,
           ARRAY[x.prev_id] AS related_ids
    FROM (
        SELECT a.id, lag(a.id) OVER w AS prev_id,
               floor(extract(epoch FROM a.reported_at - lag(a.reported_at) OVER w) / 60)::int
                   AS minutes
        FROM reporting.v_fuel_fills AS a
        WHERE a.reported_at >= (SELECT min(reported_at) FROM fills) - make_interval(hours => $6::int)
          AND a.vehicle_reg IN (SELECT vehicle_reg FROM fills)
        WINDOW w AS (PARTITION BY a.vehicle_reg ORDER BY a.reported_at, a.id)
    ) AS x JOIN fills AS f ON f.id = x.id
    WHERE x.minutes < $6::int * 60
), items AS (
    SELECT i.reason, i.detail, i.related_ids, f.id, f.fill_date, f.reported_at, f.vehicle_reg,
           f.vehicle_number, f.department, f.driver_name, f.litres, f.amount, f.receipt_no,
           1::bigint AS fills
    FROM (SELECT * FROM flagged UNION ALL SELECT * FROM implausible
          UNION ALL SELECT * FROM duplicated UNION ALL SELECT * FROM refills) AS i
    JOIN fills AS f ON f.id = i.id
    UNION ALL
    -- Plates no tracker device carries (and fills without a readable plate), one item each.
    SELECT 'unmatched_plate',
           CASE WHEN f.vehicle_reg IS NULL THEN 'no readable plate: cannot be matched to a tracker'
                ELSE 'no tracker device carries this plate' END,
           NULL, NULL, max(f.fill_date), NULL, f.vehicle_reg, NULL,
           (array_agg(f.department ORDER BY f.fill_date DESC, f.id DESC))[1], NULL, NULL, NULL,
           NULL, count(*)
    FROM fills AS f
    WHERE f.vehicle_number IS NULL
    GROUP BY f.vehicle_reg
)
SELECT json_build_object(
    'period', (SELECT json_build_object('from', d_from, 'to', d_to) FROM bounds),
    'totals', (
        SELECT json_build_object(
            'items', count(*),
            'price_mismatch', count(*) FILTER (WHERE reason = 'price_mismatch'),
            'unparseable_number', count(*) FILTER (WHERE reason = 'unparseable_number'),
            'unreadable_date', count(*) FILTER (WHERE reason = 'unreadable_date'),
            'implausible_efficiency', count(*) FILTER (WHERE reason = 'implausible_efficiency'),
            'unmatched_plate', count(*) FILTER (WHERE reason = 'unmatched_plate'),
            'duplicate_receipt', count(*) FILTER (WHERE reason = 'duplicate_receipt'),
            'quick_refill', count(*) FILTER (WHERE reason = 'quick_refill'))
        FROM items),
    'items', coalesce((
        SELECT json_agg(json_build_object(
                   'reason', reason, 'detail', detail, 'id', id, 'fill_date', fill_date,
                   'reported_at', reported_at, 'vehicle_reg', vehicle_reg,
                   'vehicle_number', vehicle_number, 'department', department,
                   'driver_name', driver_name, 'litres', round(litres, 2),
                   'amount', round(amount, 2), 'receipt_no', receipt_no,
                   'related_ids', related_ids, 'fills', fills)
                   ORDER BY fill_date DESC NULLS LAST, reason, id DESC NULLS LAST)
        FROM (SELECT * FROM items
              ORDER BY fill_date DESC NULLS LAST, reason, id DESC NULLS LAST
              LIMIT $7::int) AS listed), '[]')
)::text
)sql";

db::Param optional_int(const std::optional<int>& v) {
    return v ? db::Param(std::to_string(*v)) : std::nullopt;
}

}  // namespace

Statement attention_statement(const AttentionQuery& q) {
    const auto& f = q.filter;
    return {kAttention,
            {optional_int(f.period_days), f.from, f.to, f.department, f.vehicle,
             std::to_string(q.refill_hours), std::to_string(q.limit)}};
}

}  // namespace ff::read
