-- Ingest rules of the data contract, section 5, as set-based functions over per-transaction
-- staging tables. The C++ pipeline stages rows with COPY, then calls one apply function; all
-- version, staleness, tombstone, soft-delete and undelete decisions are made here (for snapshots)
-- and in R__031_ingest_changes.sql (for change files).
--
-- Typed columns: the stager reads the common shapes of contract section 4 itself while it parses
-- a row (lib/parse/typed_columns.cpp) and ships the typed columns in the same COPY with
-- typed = true; a row it declines arrives with typed = false and is normalised here by
-- fuel.normalise, before anything is planned. So every staged row holds fuel.normalise(raw)
-- (tests/parse/typed_columns_test.cpp holds the C++ reading to that), and the apply functions copy
-- the columns into fuel.records with fuel.normalised_by_ingest = on (a SET clause: it ends with the
-- function), which switches the per-row trigger of R__010 off for their writes. plpgsql
-- normalisation of every row was two thirds of a first load (docs/performance.md).

-- A timestamp of the export that is not a row field (changed_at, exported_at), or NULL when it is
-- missing or unreadable; never raises. Read as the normaliser reads a row's timestamps (R__010),
-- with the same fast path for the common shapes. A SQL-standard body without a SET clause (bound
-- to its objects when created) so the planner inlines it.
CREATE OR REPLACE FUNCTION fuel.ingest_ts(t text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(fuel.norm_common_timestamptz(pg_catalog.btrim(t, E' \t')), fuel.parse_timestamptz(t));

-- The staged rows the stager left to the normalisation rules (typed = false: shapes its C++
-- reader declines), normalised here by fuel.normalise, before anything is planned; then the
-- statistics the apply's joins need (row counts and the join keys; the other columns are only
-- copied). Step 1 of fuel.apply_snapshot and of fuel.apply_change_file, on their staging table
-- (ingest_snap_rows, ingest_chg_rows: the same typed columns). A change without a row (a delete)
-- has nothing to normalise.
CREATE OR REPLACE FUNCTION fuel.ingest_normalise_staged(p_staging regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    EXECUTE format(
        'UPDATE %s s
         SET (typed, message_id, reported_at, fill_date, vehicle_reg, vehicle_reg_raw, driver_name,
              department, station, litres, price_per_litre, amount, odometer_km, fuel_type,
              payment_method, receipt_no, full_tank, notes, flags, source_created_at,
              source_updated_at, source_deleted_at)
             = (SELECT true, n.* FROM fuel.normalise(s.raw) AS n)
         WHERE NOT s.typed AND s.raw IS NOT NULL', p_staging);
    EXECUTE format('ANALYZE %s (seq, id)', p_staging);
END;
$$;

-- Replaced by the stager's src_deleted column (the same rule: present and not blank).
DROP FUNCTION IF EXISTS fuel.ingest_is_set(text);

-- Creates (or empties) the snapshot staging tables of this transaction:
--   ingest_snap_rows: the rows that may change something (seq = position in the snapshot)
--   ingest_snap_seen: (id, seq) of every row of the snapshot
--   ingest_snap_gone: live stored ids the snapshot lacks, when the stager could tell (see
--                     fuel.apply_snapshot's p_stored_live)
--   ingest_snap_unread: (id, seq) of the rows that could not be read but whose id could
--                     (contract §2: present, so not missing; rejected, so not written)
CREATE OR REPLACE FUNCTION fuel.ingest_begin_snapshot() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning AS $$
BEGIN
    IF to_regclass('pg_temp.ingest_snap_rows') IS NULL THEN
        CREATE TEMP TABLE ingest_snap_rows (
            seq bigint NOT NULL, id bigint NOT NULL, hash text NOT NULL, raw jsonb NOT NULL,
            sanitised boolean NOT NULL, src_deleted boolean NOT NULL, typed boolean NOT NULL,
            message_id text, reported_at timestamptz, fill_date date, vehicle_reg text,
            vehicle_reg_raw text, driver_name text, department text, station text, litres numeric,
            price_per_litre numeric, amount numeric, odometer_km integer, fuel_type text,
            payment_method text, receipt_no text, full_tank boolean, notes text, flags text[],
            source_created_at timestamptz, source_updated_at timestamptz, source_deleted_at timestamptz
        ) ON COMMIT DROP;
        CREATE TEMP TABLE ingest_snap_seen (id bigint NOT NULL, seq bigint NOT NULL) ON COMMIT DROP;
        CREATE TEMP TABLE ingest_snap_gone (id bigint NOT NULL) ON COMMIT DROP;
        CREATE TEMP TABLE ingest_snap_unread (id bigint NOT NULL, seq bigint NOT NULL) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.ingest_snap_rows, pg_temp.ingest_snap_seen, pg_temp.ingest_snap_gone,
                 pg_temp.ingest_snap_unread;
    END IF;
END;
$$;

-- The secondary indexes of fuel.records that a first load builds once after its rows are in,
-- rather than entry by entry (PostgreSQL's advice for bulk loads: maintaining them was 40 % of the
-- insert), as pg_get_indexdef writes the definitions V0001 gives them. An index not named here is
-- simply maintained during a first load; tests/ingest/engine_first_load_test.cpp holds this list
-- to what the migrations create.
CREATE OR REPLACE FUNCTION fuel.ingest_secondary_indexes(OUT name text, OUT definition text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE AS $$
    VALUES ('records_live_fill_date',
            'CREATE INDEX records_live_fill_date ON fuel.records USING btree (fill_date) '
            'WHERE (deleted_at IS NULL)'),
           ('records_live_vehicle',
            'CREATE INDEX records_live_vehicle ON fuel.records USING btree (vehicle_reg, fill_date) '
            'WHERE (deleted_at IS NULL)')
$$;

-- Before a snapshot is applied, in a transaction of its own that commits at once: when
-- fuel.records is empty, drops the secondary indexes above so that the load inserts without them
-- and fuel.apply_snapshot builds them at its end. Dropping an index takes the table's ACCESS
-- EXCLUSIVE lock, which a dashboard query would queue behind; committed here, that lock lasts
-- milliseconds instead of the whole load. It is waited for at most lock_timeout: when a reader
-- holds the table (a query running, or a transaction left open), nothing is dropped and the load
-- is an ordinary insert that keeps the indexes. Returns 'dropped', 'not_empty', 'busy' (a reader
-- held the table) or 'not_owner' (only the table's owner may drop its indexes).
CREATE OR REPLACE FUNCTION fuel.ingest_prepare_first_load() RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms' AS $$
DECLARE
    v_name text;
BEGIN
    IF EXISTS (SELECT FROM fuel.records) THEN
        RETURN 'not_empty';
    END IF;
    IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = 'fuel.records'::regclass), 'USAGE') THEN
        RETURN 'not_owner';
    END IF;
    BEGIN
        LOCK TABLE fuel.records IN ACCESS EXCLUSIVE MODE;
    EXCEPTION WHEN lock_not_available THEN
        RETURN 'busy';
    END;
    IF EXISTS (SELECT FROM fuel.records) THEN
        RETURN 'not_empty';
    END IF;
    FOR v_name IN SELECT i.name FROM fuel.ingest_secondary_indexes() i LOOP
        EXECUTE format('DROP INDEX IF EXISTS fuel.%I', v_name);
    END LOOP;
    RETURN 'dropped';
END;
$$;

-- Creates the secondary indexes that are missing: after a first load, or after one that failed
-- between fuel.ingest_prepare_first_load and its commit. CREATE INDEX takes a SHARE lock, which
-- blocks writers (there is one: FleetFuel) but no reader. Only for the table's owner.
CREATE OR REPLACE FUNCTION fuel.ingest_ensure_indexes() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_definition text;
BEGIN
    FOR v_definition IN
        SELECT i.definition FROM fuel.ingest_secondary_indexes() i
        WHERE to_regclass(format('fuel.%I', i.name)) IS NULL
    LOOP
        IF NOT pg_has_role((SELECT relowner FROM pg_class WHERE oid = 'fuel.records'::regclass), 'USAGE') THEN
            RAISE WARNING 'fuel.records lacks an index only its owner can create: %', v_definition;
            CONTINUE;
        END IF;
        EXECUTE v_definition;
    END LOOP;
END;
$$;

-- The steps of fuel.apply_snapshot, each on the staging tables of fuel.ingest_begin_snapshot, in
-- the order it runs them. They are parts of one apply, not entry points: each expects the steps
-- before it to have run in the same transaction. work_mem: the hash tables over every id of a
-- snapshot (duplicates, missing rows) stay in memory up to about a million rows instead of
-- spilling to temporary files.

-- Step 2: the ids the snapshot holds more than once, readable or not, in ingest_snap_dups with the
-- position of the occurrence that counts (the last). Usually none: one pass over the ids, and the
-- plan skips only these; p_ids_ascending (the stager saw every id greater than the one before)
-- says there are none without looking. An unreadable last occurrence has no staged row: its stored
-- row stays as it is. seen: the rows of the snapshot; unread: those that could not be read but
-- whose id could; superseded: readable rows that a later occurrence of their id overrides.
CREATE OR REPLACE FUNCTION fuel.snapshot_find_duplicates(p_ids_ascending boolean, OUT seen bigint,
                                                         OUT unread bigint, OUT superseded bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET work_mem = '32MB' AS $$
BEGIN
    ANALYZE pg_temp.ingest_snap_seen;
    SELECT count(*) INTO unread FROM pg_temp.ingest_snap_unread;
    DROP TABLE IF EXISTS pg_temp.ingest_snap_dups;
    CREATE TEMP TABLE ingest_snap_dups ON COMMIT DROP AS
    SELECT id, max(seq) AS seq, count(*) FILTER (WHERE NOT a.unread) AS readable,
           max(seq) FILTER (WHERE a.unread) AS unread_seq
    FROM (SELECT id, seq, false AS unread FROM pg_temp.ingest_snap_seen
          UNION ALL SELECT id, seq, true FROM pg_temp.ingest_snap_unread) a
    WHERE NOT p_ids_ascending
    GROUP BY id HAVING count(*) > 1;
    SELECT count(*) INTO seen FROM pg_temp.ingest_snap_seen;
    SELECT coalesce(sum(readable - CASE WHEN unread_seq = seq THEN 0 ELSE 1 END), 0)
    INTO superseded FROM pg_temp.ingest_snap_dups;
END;
$$;

-- Step 3: the decision per staged row of a stored id, made once, into ingest_snap_plan (a staged
-- row with no stored id is an insert, written straight from ingest_snap_rows by
-- fuel.snapshot_write: a first load plans nothing), with how many rows each action takes; acted:
-- the rows planned to be written or found stale, all but the unchanged. The plan names rows by
-- seq: their text stays in ingest_snap_rows and is read once, when written.
CREATE OR REPLACE FUNCTION fuel.snapshot_plan(p_exported_at timestamptz, OUT updated bigint,
                                              OUT undeleted bigint, OUT soft_deleted bigint,
                                              OUT stale bigint, OUT acted bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET work_mem = '32MB' AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.ingest_snap_plan;
    CREATE TEMP TABLE ingest_snap_plan ON COMMIT DROP AS
    WITH inc AS (
        SELECT s.seq, s.id, s.hash, coalesce(s.source_updated_at, '-infinity') AS v,
               CASE WHEN s.src_deleted THEN coalesce(s.source_deleted_at, p_exported_at) END AS new_deleted_at
        FROM pg_temp.ingest_snap_rows s
        WHERE NOT EXISTS (SELECT FROM pg_temp.ingest_snap_dups d WHERE d.id = s.id AND d.seq <> s.seq)
    )
    SELECT inc.seq, inc.id, inc.v, inc.new_deleted_at,
           CASE
               -- Same content and liveness: nothing to do (the pipeline does not even ship these).
               WHEN r.content_hash IS NOT DISTINCT FROM decode(inc.hash, 'hex')
                    AND (r.deleted_at IS NULL) = (inc.new_deleted_at IS NULL) THEN 'unchanged'
               WHEN r.change_batch_at > p_exported_at THEN 'stale'
               WHEN inc.v < r.version THEN 'stale'
               WHEN r.deleted_at IS NOT NULL AND inc.new_deleted_at IS NULL THEN 'undelete'
               WHEN r.deleted_at IS NULL AND inc.new_deleted_at IS NOT NULL THEN 'soft_delete'
               ELSE 'update'
           END AS action
    FROM inc JOIN fuel.records r ON r.id = inc.id;
    ANALYZE pg_temp.ingest_snap_plan;

    SELECT count(*) FILTER (WHERE action = 'update'),
           count(*) FILTER (WHERE action = 'undelete'),
           count(*) FILTER (WHERE action = 'soft_delete'),
           count(*) FILTER (WHERE action = 'stale'),
           count(*) FILTER (WHERE action <> 'unchanged')
    INTO updated, undeleted, soft_deleted, stale, acted FROM pg_temp.ingest_snap_plan;
END;
$$;

-- Step 4: the live rows absent from the snapshot, into ingest_snap_missing. Such a row was
-- hard-deleted at the source, unless the stored data is newer than the picture (a change batch
-- touched it after exported_at). Found once: the guard counts them and
-- fuel.snapshot_soft_delete_missing marks the same ids. p_stored_live: the live rows as the stager
-- counted them, with the live ids the snapshot lacks in ingest_snap_gone (see fuel.apply_snapshot);
-- NULL: both are found here, by two scans of every stored row. With p_unidentified rows (unreadable,
-- id and all) any stored row may be one of them: nothing is missing, and withheld says how many
-- rows would have been. live: the live rows of fuel.records.
CREATE OR REPLACE FUNCTION fuel.snapshot_find_missing(p_exported_at timestamptz,
                                                      p_stored_live bigint,
                                                      p_unidentified bigint, OUT live bigint,
                                                      OUT missing bigint, OUT withheld bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET work_mem = '32MB' AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.ingest_snap_missing;
    IF p_stored_live IS NULL THEN
        CREATE TEMP TABLE ingest_snap_missing ON COMMIT DROP AS
        SELECT r.id
        FROM fuel.records r
        WHERE r.deleted_at IS NULL
          AND r.version <= p_exported_at
          AND (r.change_batch_at IS NULL OR r.change_batch_at <= p_exported_at)
          AND NOT EXISTS (SELECT FROM pg_temp.ingest_snap_seen s WHERE s.id = r.id)
          AND NOT EXISTS (SELECT FROM pg_temp.ingest_snap_unread u WHERE u.id = r.id);
        GET DIAGNOSTICS missing = ROW_COUNT;
        SELECT count(*) INTO live FROM fuel.records WHERE deleted_at IS NULL;
    ELSE
        ANALYZE pg_temp.ingest_snap_gone;
        CREATE TEMP TABLE ingest_snap_missing ON COMMIT DROP AS
        SELECT r.id
        FROM pg_temp.ingest_snap_gone g JOIN fuel.records r ON r.id = g.id
        WHERE r.deleted_at IS NULL
          AND r.version <= p_exported_at
          AND (r.change_batch_at IS NULL OR r.change_batch_at <= p_exported_at);
        GET DIAGNOSTICS missing = ROW_COUNT;
        live := p_stored_live;
    END IF;
    withheld := 0;
    IF p_unidentified > 0 THEN
        withheld := missing;
        missing := 0;
        TRUNCATE pg_temp.ingest_snap_missing;
    END IF;
END;
$$;

-- Step 5, the guards: why this snapshot must not be applied without --force, or NULL. An export
-- older than the one applied last; an empty one (no row at all, readable or not) over a table
-- with live rows; one that would soft-delete more than p_max_delete_fraction of the live rows
-- (p_would_delete: the missing rows and the rows the snapshot itself marks deleted).
CREATE OR REPLACE FUNCTION fuel.snapshot_refusal(p_exported_at timestamptz,
                                                 p_last_exported_at timestamptz, p_live bigint,
                                                 p_present bigint, p_would_delete bigint,
                                                 p_max_delete_fraction numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN p_last_exported_at IS NOT NULL AND p_exported_at < p_last_exported_at THEN 'older_snapshot'
    WHEN p_live > 0 AND p_present = 0 THEN 'empty'
    WHEN p_live > 0 AND p_would_delete > p_max_delete_fraction * p_live THEN 'mass_delete'
END;

-- Step 6: writes the plan. Staged rows of ids not stored are inserted (the last occurrence of a
-- repeated id only); planned updates, undeletes and soft deletes rewrite their rows. The rows
-- inserted; the rows written with flags, and how many of them carry each flag.
CREATE OR REPLACE FUNCTION fuel.snapshot_write(p_exported_at timestamptz,
                                               OUT rows_inserted bigint, OUT rows_flagged bigint,
                                               OUT flag_counts jsonb)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET fuel.normalised_by_ingest = on AS $$
BEGIN
    WITH ins AS (
        INSERT INTO fuel.records (id, raw, content_hash, version, deleted_at, deleted_reason, sanitised,
                                  message_id, reported_at, fill_date, vehicle_reg, vehicle_reg_raw, driver_name,
                                  department, station, litres, price_per_litre, amount, odometer_km,
                                  fuel_type, payment_method, receipt_no, full_tank, notes, flags,
                                  source_created_at, source_updated_at, source_deleted_at)
        SELECT s.id, s.raw, decode(s.hash, 'hex'), coalesce(s.source_updated_at, '-infinity'),
               n.deleted_at, CASE WHEN n.deleted_at IS NOT NULL THEN 'source' END, s.sanitised,
               s.message_id, s.reported_at, s.fill_date, s.vehicle_reg, s.vehicle_reg_raw,
               s.driver_name, s.department, s.station, s.litres, s.price_per_litre, s.amount,
               s.odometer_km, s.fuel_type, s.payment_method, s.receipt_no, s.full_tank, s.notes,
               s.flags, s.source_created_at, s.source_updated_at, s.source_deleted_at
        FROM pg_temp.ingest_snap_rows s
        CROSS JOIN LATERAL (SELECT CASE WHEN s.src_deleted
                                        THEN coalesce(s.source_deleted_at, p_exported_at) END) AS n (deleted_at)
        WHERE NOT EXISTS (SELECT FROM pg_temp.ingest_snap_dups d WHERE d.id = s.id AND d.seq <> s.seq)
          AND NOT EXISTS (SELECT FROM pg_temp.ingest_snap_plan p WHERE p.seq = s.seq)
        RETURNING flags
    ), upd AS (
        UPDATE fuel.records r
        SET (raw, content_hash, version, deleted_at, deleted_reason, sanitised, last_changed_at,
             message_id, reported_at, fill_date, vehicle_reg, vehicle_reg_raw, driver_name,
             department, station, litres, price_per_litre, amount, odometer_km,
             fuel_type, payment_method, receipt_no, full_tank, notes, flags,
             source_created_at, source_updated_at, source_deleted_at)
          = (s.raw, decode(s.hash, 'hex'), p.v, p.new_deleted_at,
             CASE WHEN p.new_deleted_at IS NOT NULL THEN 'source' END, s.sanitised, now(),
             s.message_id, s.reported_at, s.fill_date, s.vehicle_reg, s.vehicle_reg_raw,
             s.driver_name, s.department, s.station, s.litres, s.price_per_litre, s.amount,
             s.odometer_km, s.fuel_type, s.payment_method, s.receipt_no, s.full_tank, s.notes,
             s.flags, s.source_created_at, s.source_updated_at, s.source_deleted_at)
        FROM pg_temp.ingest_snap_plan p JOIN pg_temp.ingest_snap_rows s ON s.seq = p.seq
        WHERE r.id = p.id AND p.action IN ('update', 'undelete', 'soft_delete')
        RETURNING r.flags
    ), w AS (
        SELECT true AS inserted, ins.flags FROM ins UNION ALL SELECT false, upd.flags FROM upd
    )
    SELECT count(*) FILTER (WHERE w.inserted), count(*) FILTER (WHERE cardinality(w.flags) > 0),
           coalesce((SELECT jsonb_object_agg(f, n) FROM (
               SELECT f, count(*) AS n FROM w, unnest(w.flags) AS f GROUP BY f) x), '{}'::jsonb)
    INTO rows_inserted, rows_flagged, flag_counts FROM w;
END;
$$;

-- Step 8: soft-deletes the rows step 4 found missing (checked again: step 6 may have written them).
CREATE OR REPLACE FUNCTION fuel.snapshot_soft_delete_missing(p_exported_at timestamptz) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET fuel.normalised_by_ingest = on AS $$
BEGIN
    UPDATE fuel.records r
    SET deleted_at = p_exported_at, deleted_reason = 'missing_from_snapshot', last_changed_at = now()
    FROM pg_temp.ingest_snap_missing m
    WHERE r.id = m.id
      AND r.deleted_at IS NULL
      AND r.version <= p_exported_at
      AND (r.change_batch_at IS NULL OR r.change_batch_at <= p_exported_at);
END;
$$;

-- Applies the staged snapshot taken at p_exported_at. Returns the counts as jsonb; when a guard
-- refuses (and p_force is false) returns {"refused": reason, ...} and writes nothing.
-- p_ids_ascending: the stager saw every id greater than the one before (as exports usually come),
-- so no id repeats and the search for duplicates over every id is skipped.
-- p_stored_live: the live rows of fuel.records as the stager counted them while it looked up
-- whole id ranges (only possible while the ids ascend), with the live ids the snapshot lacks in
-- ingest_snap_gone; then the two scans of every stored row for the missing rows are not needed.
-- NULL: the database finds both.
-- p_unidentified: rows of the snapshot that could not be read and whose id could not be read
-- either. Any stored row may be one of them, so none is soft-deleted for being absent in this run
-- (contract §2): the answer's deletes_withheld says how many would have been. An unreadable row
-- whose id could be read is in ingest_snap_unread: present, so never missing; when it is the last
-- occurrence of its id, nothing of that id is written and the stored row stays as it is.
-- One step after the other (the fuel.snapshot_* functions above), in the caller's transaction.
DROP FUNCTION IF EXISTS fuel.apply_snapshot(timestamptz, boolean, numeric);
DROP FUNCTION IF EXISTS fuel.apply_snapshot(timestamptz, boolean, numeric, boolean);
DROP FUNCTION IF EXISTS fuel.apply_snapshot(timestamptz, boolean, numeric, boolean, bigint);
CREATE OR REPLACE FUNCTION fuel.apply_snapshot(p_exported_at timestamptz, p_force boolean,
                                               p_max_delete_fraction numeric,
                                               p_ids_ascending boolean,
                                               p_stored_live bigint,
                                               p_unidentified bigint) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET work_mem = '32MB'
SET fuel.normalised_by_ingest = on AS $$
DECLARE
    v_last timestamptz;
    v_rows record;
    v_plan record;
    v_gone record;
    v_written record;
    v_refused text;
BEGIN
    -- 1. The rows the stager left to the normalisation rules.
    PERFORM fuel.ingest_normalise_staged('pg_temp.ingest_snap_rows');
    SELECT snapshot_exported_at INTO v_last FROM fuel.ingest_state WHERE stream = 'snapshot';
    SELECT * INTO v_rows FROM fuel.snapshot_find_duplicates(p_ids_ascending);
    SELECT * INTO v_plan FROM fuel.snapshot_plan(p_exported_at);
    SELECT * INTO v_gone FROM fuel.snapshot_find_missing(p_exported_at, p_stored_live, p_unidentified);

    v_refused := fuel.snapshot_refusal(p_exported_at, v_last, v_gone.live,
                                       v_rows.seen + v_rows.unread + p_unidentified,
                                       v_gone.missing + v_plan.soft_deleted, p_max_delete_fraction);
    IF v_refused IS NOT NULL AND NOT p_force THEN
        RETURN jsonb_build_object('refused', v_refused, 'live_rows', v_gone.live,
                                  'would_soft_delete', v_gone.missing + v_plan.soft_deleted,
                                  'last_exported_at', v_last, 'deletes_withheld', v_gone.withheld);
    END IF;

    SELECT * INTO v_written FROM fuel.snapshot_write(p_exported_at);
    -- 7. After a first load (fuel.ingest_prepare_first_load dropped them), or whenever they are
    -- missing: built once over the rows now in, under a SHARE lock that readers do not wait for.
    PERFORM fuel.ingest_ensure_indexes();
    PERFORM fuel.snapshot_soft_delete_missing(p_exported_at);

    RETURN jsonb_build_object(
        'inserted', v_written.rows_inserted, 'updated', v_plan.updated, 'undeleted', v_plan.undeleted,
        'soft_deleted', v_plan.soft_deleted + v_gone.missing, 'stale', v_plan.stale,
        'unchanged', v_rows.seen - v_rows.superseded - v_written.rows_inserted - v_plan.acted,
        'duplicates', v_rows.superseded, 'deletes_withheld', v_gone.withheld,
        'flagged', v_written.rows_flagged, 'flags', v_written.flag_counts, 'forced', v_refused IS NOT NULL,
        'refused_reason', v_refused);
END;
$$;
