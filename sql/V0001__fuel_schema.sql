-- The fuel schema: records, ingest bookkeeping, applied change files and rejects.
-- Column names id, raw and deleted_at of fuel.records are fixed by the data contract (section 6).

CREATE SCHEMA IF NOT EXISTS fuel;
CREATE SCHEMA IF NOT EXISTS reporting;

CREATE TABLE fuel.records (
    id                 bigint PRIMARY KEY,              -- the source row's id
    raw                jsonb NOT NULL DEFAULT '{}',     -- the row as received (canonical jsonb)
    deleted_at         timestamptz,                     -- FleetFuel's liveness marker: NULL = live

    -- Normalised fields (computed from raw by the fuel.records_normalise trigger; never written directly).
    message_id         text,
    reported_at        timestamptz,
    fill_date          date,
    vehicle_reg        text,
    vehicle_reg_raw    text,
    driver_name        text,
    department         text,
    station            text,
    litres             numeric,
    price_per_litre    numeric,
    amount             numeric,
    odometer_km        integer,
    fuel_type          text,
    payment_method     text,
    receipt_no         text,
    full_tank          boolean,
    notes              text,
    flags              text[] NOT NULL DEFAULT '{}',

    -- The source's own timestamps, as parsed.
    source_created_at  timestamptz,
    source_updated_at  timestamptz,
    source_deleted_at  timestamptz,

    -- Ingest bookkeeping.
    version            timestamptz NOT NULL DEFAULT '-infinity',  -- contract section 5
    content_hash       bytea,                                     -- of the canonical row text
    first_seen_at      timestamptz NOT NULL DEFAULT now(),
    last_changed_at    timestamptz NOT NULL DEFAULT now(),
    change_batch_at    timestamptz,       -- changed_at of the last change-file op applied to the row
    deleted_reason     text CHECK (deleted_reason IN ('source', 'delete_op', 'missing_from_snapshot')),
    sanitised          boolean NOT NULL DEFAULT false,            -- a \u0000 was removed from raw

    CONSTRAINT records_flags_known CHECK (flags <@ ARRAY[
        'unparseable_number', 'price_mismatch', 'derived_amount', 'derived_litres',
        'derived_price_per_litre', 'unreadable_date', 'unparseable_bool']::text[])
);

CREATE INDEX records_live_fill_date ON fuel.records (fill_date) WHERE deleted_at IS NULL;
CREATE INDEX records_live_vehicle ON fuel.records (vehicle_reg, fill_date) WHERE deleted_at IS NULL;

-- One row per stream ('snapshot', 'changes').
CREATE TABLE fuel.ingest_state (
    stream                text PRIMARY KEY CHECK (stream IN ('snapshot', 'changes')),
    watermark             text,           -- changes: greatest applied key (byte order)
    last_success_at       timestamptz,
    last_attempt_at       timestamptz,
    last_error            text,
    last_error_at         timestamptz,
    snapshot_etag         text,           -- snapshot: ETag of the last applied latest.json
    snapshot_exported_at  timestamptz,    -- snapshot: exported_at of the last applied latest.json
    updated_at            timestamptz NOT NULL DEFAULT now()
);
INSERT INTO fuel.ingest_state (stream) VALUES ('snapshot'), ('changes');

-- Ledger of change files: applied once, or quarantined until their ETag changes.
CREATE TABLE fuel.change_files (
    key            text COLLATE "C" PRIMARY KEY,
    etag           text NOT NULL,
    status         text NOT NULL CHECK (status IN ('applied', 'quarantined')),
    processed_at   timestamptz NOT NULL DEFAULT now(),
    last_modified  timestamptz,
    size_bytes     bigint,
    rows_read      integer NOT NULL DEFAULT 0,
    inserted       integer NOT NULL DEFAULT 0,
    updated        integer NOT NULL DEFAULT 0,
    soft_deleted   integer NOT NULL DEFAULT 0,
    undeleted      integer NOT NULL DEFAULT 0,
    unchanged      integer NOT NULL DEFAULT 0,
    stale          integer NOT NULL DEFAULT 0,
    rejected       integer NOT NULL DEFAULT 0,
    reason         text             -- why it was quarantined
);
CREATE INDEX change_files_processed_at ON fuel.change_files (processed_at);

-- Everything that was not applied, with the reason and the original text.
CREATE TABLE fuel.rejects (
    reject_id    bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    stream       text NOT NULL CHECK (stream IN ('snapshot', 'changes')),
    object_key   text,
    etag         text,
    kind         text NOT NULL CHECK (kind IN ('file', 'row', 'snapshot_refused', 'sanitised', 'etag_changed')),
    record_id    bigint,
    reason       text NOT NULL,
    raw_text     text
);
CREATE INDEX rejects_at ON fuel.rejects (at);
