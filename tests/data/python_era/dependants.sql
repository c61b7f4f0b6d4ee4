-- Load after seed.sql: objects outside fuel that PostgreSQL records as depending on it. Moving
-- fuel aside would silently re-point each at the frozen legacy data, so adopting must refuse.
CREATE VIEW reporting.v_fuel_monthly AS
SELECT date_trunc('month', fill_date) AS month, vehicle_reg, sum(litres) AS litres
FROM reporting.v_fuel_fills
GROUP BY 1, 2;

CREATE TABLE public.fill_costs (
    record_id   bigint REFERENCES fuel.records (id),
    cost_centre text
);

CREATE SEQUENCE fuel.note_ids;
CREATE TABLE public.fill_notes (
    note_id  bigint DEFAULT nextval('fuel.note_ids'),
    note     text
);
