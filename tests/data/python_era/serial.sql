-- An older or hand-grown shape (invented data): serial keys with their sequences, an enum, a
-- trigger and its function, a materialised view, an extra log table, and a history table named
-- like FleetFuel's but of another shape. No reporting views.
CREATE SCHEMA fuel;

CREATE TABLE fuel.schema_migrations (
    version     integer PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO fuel.schema_migrations (version) VALUES (1), (2);

CREATE TYPE fuel.fuel_kind AS ENUM ('diesel', 'petrol', 'unknown');

CREATE TABLE fuel.fuel_records (
    record_id    serial PRIMARY KEY,
    source_id    bigint UNIQUE NOT NULL,
    vehicle      text NOT NULL,
    kind         fuel.fuel_kind NOT NULL DEFAULT 'unknown',
    litres       double precision,
    filled_on    date,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fuel_records_filled_on ON fuel.fuel_records (filled_on);

CREATE TABLE fuel.import_log (
    run_id      bigserial PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    rows_seen   integer NOT NULL,
    note        text
);

CREATE FUNCTION fuel.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER fuel_records_touch BEFORE UPDATE ON fuel.fuel_records
    FOR EACH ROW EXECUTE FUNCTION fuel.touch_updated_at();

INSERT INTO fuel.fuel_records (source_id, vehicle, kind, litres, filled_on)
SELECT 5000 + g, 'T' || (g % 17), (ARRAY['diesel', 'petrol', 'unknown'])[1 + g % 3]::fuel.fuel_kind,
       15 + (g % 40), date '2024-02-01' + g / 10
FROM generate_series(1, 640) AS g;
INSERT INTO fuel.import_log (started_at, rows_seen)
SELECT timestamptz '2024-02-01 00:00:00+00' + g * interval '1 hour', 600 + g
FROM generate_series(1, 30) AS g;

CREATE MATERIALIZED VIEW fuel.daily_litres AS
SELECT filled_on, sum(litres) AS litres FROM fuel.fuel_records GROUP BY filled_on;
