-- Load after seed.sql: a FleetFuel without --adopt-existing ran `migrate` here, created its history
-- table and stopped at `relation "records" already exists`, leaving that table empty.
CREATE TABLE IF NOT EXISTS fuel.schema_migrations (
    script        text PRIMARY KEY,
    version       integer UNIQUE,
    description   text NOT NULL,
    kind          char(1) NOT NULL CHECK (kind IN ('V', 'R')),
    checksum      text NOT NULL,
    installed_at  timestamptz NOT NULL DEFAULT now(),
    execution_ms  integer NOT NULL,
    CHECK ((kind = 'V') = (version IS NOT NULL))
);
