-- The read side: reporting.v_fuel_fills and reporting.v_fuel_efficiency (contract section 6).
--
-- Repeatable migration, re-applied when this text changes or when tracksolid.devices appears or
-- disappears. tracksolid.devices belongs to the telematics stack and may be absent: the DO block
-- below joins it when it exists and carries NULL vehicle identity when it does not.
-- The column lists and their order are fixed by the contract's tables; extra columns only follow.
-- Dropping the views also drops their grants: the migration runner grants the reader role afterwards.

DROP VIEW IF EXISTS reporting.v_fuel_efficiency;
DROP VIEW IF EXISTS reporting.v_fuel_fills;

DO $do$
DECLARE
    -- Contract section 6: one row per live fill, also when two devices carry the same plate.
    -- The devices are reduced to one per normalised plate first (lowest imei wins, byte order),
    -- which keeps the join a hash join instead of a plate computation per fill and device.
    devices_join constant text := $sql$
        LEFT JOIN (
            SELECT DISTINCT ON (p.plate)
                   p.plate, d.vehicle_number::text AS vehicle_number, d.imei::text AS imei,
                   d.device_name::text AS device_name, d.vehicle_name::text AS vehicle_name
            FROM tracksolid.devices AS d
            CROSS JOIN LATERAL (SELECT fuel.plate(d.vehicle_number::text) AS plate) AS p
            WHERE p.plate IS NOT NULL
            ORDER BY p.plate, d.imei::text COLLATE "C"
        ) AS dev ON dev.plate = r.vehicle_reg
    $sql$;
    no_devices constant text := $sql$
        LEFT JOIN (
            SELECT NULL::text AS plate, NULL::text AS vehicle_number, NULL::text AS imei,
                   NULL::text AS device_name, NULL::text AS vehicle_name
            WHERE false
        ) AS dev ON dev.plate = r.vehicle_reg
    $sql$;
BEGIN
    EXECUTE format($sql$
        CREATE VIEW reporting.v_fuel_fills AS
        SELECT r.id,
               r.fill_date,
               r.reported_at,
               r.vehicle_reg,
               r.vehicle_reg_raw,
               dev.vehicle_number,
               dev.imei,
               dev.device_name,
               r.driver_name,
               r.department,
               r.station,
               r.litres,
               r.price_per_litre,
               r.amount,
               r.odometer_km,
               r.fuel_type,
               r.payment_method,
               r.receipt_no,
               r.full_tank,
               r.flags,
               dev.vehicle_name,
               r.message_id,
               r.notes
        FROM fuel.records AS r
        %s
        WHERE r.deleted_at IS NULL
    $sql$, CASE WHEN to_regclass('tracksolid.devices') IS NULL THEN no_devices ELSE devices_join END);
END
$do$;

COMMENT ON VIEW reporting.v_fuel_fills IS
    'One row per live fuel fill, normalised (FleetFuel, contract section 6). '
    'vehicle_number/imei/device_name come from tracksolid.devices where the normalised plate matches.';

-- Contract section 6: per vehicle and fill, the previous live fill with an odometer, ordered by
-- (fill_date, reported_at, id). prev_odometer_km is the last odometer seen strictly before the row:
-- odo_run counts the odometer readings so far, so every row of one run shares the reading that
-- opened it, and the previous row's reading is the last one before this row.
-- km_per_litre / litres_per_100km are NULL only where a division is impossible; implausible values
-- are shown and flagged (plausible = false) rather than hidden. implausible_reason says why, and
-- plausible is derived from it, so the verdict and its reason cannot disagree:
--   odometer_backwards (distance < 0), odometer_unchanged (distance = 0), no_litres (litres <= 0),
--   km_per_litre_low (< 0.5), km_per_litre_high (> 30); the first that applies, in this order.
CREATE VIEW reporting.v_fuel_efficiency AS
WITH ordered AS (
    SELECT f.*,
           count(f.odometer_km) OVER (PARTITION BY f.vehicle_reg
                                      ORDER BY f.fill_date, f.reported_at, f.id
                                      ROWS UNBOUNDED PRECEDING) AS odo_run
    FROM reporting.v_fuel_fills AS f
    WHERE f.vehicle_reg IS NOT NULL
), carried AS (
    SELECT o.*,
           max(o.odometer_km) OVER (PARTITION BY o.vehicle_reg, o.odo_run) AS last_odometer_km
    FROM ordered AS o
), paired AS (
    SELECT c.*,
           lag(c.last_odometer_km) OVER (PARTITION BY c.vehicle_reg
                                         ORDER BY c.fill_date, c.reported_at, c.id) AS prev_odometer_km
    FROM carried AS c
), measured AS (
    SELECT p.*,
           p.odometer_km - p.prev_odometer_km AS distance_km
    FROM paired AS p
), judged AS (
    SELECT m.*,
           CASE
               WHEN m.prev_odometer_km IS NULL THEN NULL
               WHEN m.distance_km < 0 THEN 'odometer_backwards'
               WHEN m.distance_km = 0 THEN 'odometer_unchanged'
               WHEN m.litres <= 0 THEN 'no_litres'
               WHEN m.distance_km / NULLIF(m.litres, 0) < 0.5 THEN 'km_per_litre_low'
               WHEN m.distance_km / NULLIF(m.litres, 0) > 30 THEN 'km_per_litre_high'
           END AS implausible_reason
    FROM measured AS m
)
SELECT m.id,
       m.vehicle_reg,
       m.vehicle_number,
       m.fill_date,
       m.odometer_km,
       m.litres,
       m.prev_odometer_km,
       m.distance_km,
       round(m.distance_km / NULLIF(m.litres, 0), 2) AS km_per_litre,
       round(m.litres * 100 / NULLIF(m.distance_km, 0), 2) AS litres_per_100km,
       CASE
           WHEN m.prev_odometer_km IS NULL THEN NULL
           WHEN m.implausible_reason IS NOT NULL THEN false
           WHEN m.distance_km IS NULL OR m.litres IS NULL THEN NULL
           ELSE true
       END AS plausible,
       m.reported_at,
       m.imei,
       m.flags,
       m.implausible_reason
FROM judged AS m;

COMMENT ON VIEW reporting.v_fuel_efficiency IS
    'Per vehicle and live fill: distance since the previous odometer reading, km/l, l/100km and '
    'a plausibility verdict (FleetFuel, contract section 6).';
