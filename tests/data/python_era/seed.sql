-- The Python tool's database as the seed has it (invented data): run_migrations.py's own history
-- table, fuel.records filled hourly by import_fuel.py --snapshot --apply, a key/value watermark,
-- and the two reporting views the dashboard reads.
CREATE SCHEMA fuel;
CREATE SCHEMA IF NOT EXISTS reporting;

CREATE TABLE fuel.migrations (
    filename    text PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO fuel.migrations (filename, applied_at) VALUES
    ('001_create_records.sql', '2024-03-02 09:14:00+00'),
    ('002_import_state.sql', '2024-03-02 09:14:01+00'),
    ('003_views.sql', '2024-04-11 16:40:12+00');

CREATE TABLE fuel.records (
    id               bigint PRIMARY KEY,
    message_id       text,
    fill_date        date,
    vehicle_reg      text,
    driver_name      text,
    station          text,
    litres           numeric(10, 2),
    price_per_litre  numeric(10, 3),
    amount           numeric(12, 2),
    odometer_km      integer,
    raw              jsonb NOT NULL,
    deleted_at       timestamptz,
    imported_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX records_vehicle_date ON fuel.records (vehicle_reg, fill_date);

CREATE TABLE fuel.import_state (
    key         text PRIMARY KEY,
    value       text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION fuel.clean_plate(p text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT NULLIF(upper(regexp_replace(p, '[^A-Za-z0-9]', '', 'g')), '') $$;

-- 1 900 fills over 40 invented vehicles, 23 of them deleted at the source.
INSERT INTO fuel.records (id, message_id, fill_date, vehicle_reg, driver_name, station, litres,
                          price_per_litre, amount, odometer_km, raw, deleted_at, imported_at)
SELECT g,
       'wamid.' || md5(g::text),
       date '2024-01-01' + (g / 8),
       'KD' || lpad((g % 40)::text, 3, '0') || ' ' || chr(65 + g % 26),
       'Driver ' || (g % 55),
       'Station ' || (g % 12),
       round((20 + (g * 37) % 60)::numeric, 2),
       1.650 + (g % 7) * 0.010,
       round((20 + (g * 37) % 60) * (1.650 + (g % 7) * 0.010), 2),
       10000 + g * 97,
       jsonb_build_object('id', g, 'vehicle', 'KD-' || lpad((g % 40)::text, 3, '0')),
       CASE WHEN g % 83 = 0 THEN timestamptz '2024-06-01 12:00:00+00' END,
       timestamptz '2024-07-01 08:00:00+00'
FROM generate_series(1, 1900) AS g;

INSERT INTO fuel.import_state (key, value, updated_at) VALUES
    ('snapshot_etag', '"9b2cf535f27731c974343645a3985328"', '2024-07-01 08:00:00+00'),
    ('snapshot_exported_at', '2024-07-01T07:59:30Z', '2024-07-01 08:00:00+00');

CREATE VIEW reporting.v_fuel_fills AS
SELECT r.id, r.fill_date, fuel.clean_plate(r.vehicle_reg) AS vehicle_reg, r.driver_name,
       r.station, r.litres, r.price_per_litre, r.amount, r.odometer_km
FROM fuel.records AS r
WHERE r.deleted_at IS NULL;

CREATE VIEW reporting.v_fuel_efficiency AS
SELECT f.id, f.vehicle_reg, f.fill_date, f.odometer_km, f.litres,
       f.odometer_km - lag(f.odometer_km) OVER w AS distance_km
FROM reporting.v_fuel_fills AS f
WINDOW w AS (PARTITION BY f.vehicle_reg ORDER BY f.fill_date, f.id);
