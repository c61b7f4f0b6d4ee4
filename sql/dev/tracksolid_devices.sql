-- Dev-only fixture: a small tracksolid.devices as the telematics stack has it (never run by migrate).
-- Plates are typed the way people type them; two devices carry the same plate (KDD001D), as happens
-- when a tracker is replaced and the old one is not removed. Safe to run more than once.
-- After loading it, run `fleetfuel migrate` so the reporting views pick the table up.

CREATE SCHEMA IF NOT EXISTS tracksolid;

CREATE TABLE IF NOT EXISTS tracksolid.devices (
    imei            text PRIMARY KEY,
    device_name     text,
    vehicle_name    text,
    vehicle_number  text,
    driver_name     text
);

INSERT INTO tracksolid.devices (imei, device_name, vehicle_name, vehicle_number, driver_name) VALUES
    ('860000000000001', 'GT06-KDA', 'Isuzu FRR',      'KDA 123A',          'John Kamau'),
    ('860000000000002', 'GT06-KBZ', 'Actros + trailer', 'kbz-456b/ZF 1234', 'Peter Otieno'),
    ('860000000000003', 'GT06-KCC', 'Hilux',          ' kcc 789c ',        'Mary Wanjiru'),
    ('860000000000005', 'GT06-KDD', 'Canter',         'KDD 001D',          'Ali Hassan'),
    ('860000000000004', 'GT06-KDD-old', 'Canter (old tracker)', 'kdd001d', NULL),
    ('860000000000006', 'GT06-SPARE', NULL,           NULL,                NULL),
    ('860000000000007', 'GT06-KCE', 'Probox',         'K C E 2 2 2 E',     'Grace Achieng')
ON CONFLICT (imei) DO NOTHING;
