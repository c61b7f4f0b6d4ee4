-- No fuel schema: the two reporting views were built by hand over a table in public (invented data).
CREATE SCHEMA IF NOT EXISTS reporting;
CREATE TABLE public.fuel_log (
    id          bigint PRIMARY KEY,
    plate       text,
    litres      numeric,
    filled_on   date,
    odometer    integer
);
INSERT INTO public.fuel_log
SELECT g, 'P' || (g % 9), 10 + g % 50, date '2024-05-01' + g / 5, 1000 + g * 50
FROM generate_series(1, 120) AS g;

CREATE VIEW reporting.v_fuel_fills AS
SELECT id, filled_on AS fill_date, plate AS vehicle_reg, litres, odometer AS odometer_km
FROM public.fuel_log;
CREATE VIEW reporting.v_fuel_efficiency AS
SELECT id, vehicle_reg, fill_date, odometer_km - lag(odometer_km) OVER (PARTITION BY vehicle_reg
       ORDER BY fill_date, id) AS distance_km
FROM reporting.v_fuel_fills;
