-- Ingest rules of the data contract, section 5, as set-based functions over per-transaction
-- staging tables. The C++ pipeline stages rows with COPY, then calls one apply function; all
-- version, staleness, tombstone, soft-delete and undelete decisions are made here.
-- The apply functions write the typed columns themselves, set-based from fuel.normalise in the
-- same statement (SELECT ..., n.* FROM plan, LATERAL fuel.normalise(raw) n), and run with
-- fuel.normalised_by_ingest = on (a SET clause: it ends with the function), which makes the
-- per-row trigger of R__010 skip the rows it would only normalise again. See docs/performance.md.

-- A source timestamp, or NULL when it is missing or unreadable; never raises. The same parser
-- as the normaliser's (R__010), with the same fast path for the common shapes, so a row's version
-- equals its source_updated_at. A SQL-standard body without a SET clause (bound to its objects
-- when created) so the planner inlines it: the full plpgsql parser for every staged row was a
-- fifth of a first load's time (docs/performance.md).
CREATE OR REPLACE FUNCTION fuel.ingest_ts(t text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(fuel.norm_common_timestamptz(pg_catalog.btrim(t, E' \t')), fuel.parse_timestamptz(t));

-- True when a source deleted_at value counts as set (present and not blank).
-- Inlinable for the same reason as fuel.ingest_ts.
CREATE OR REPLACE FUNCTION fuel.ingest_is_set(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN t IS NOT NULL AND pg_catalog.btrim(t, E' \t') OPERATOR(pg_catalog.<>) '';

-- Creates (or empties) the snapshot staging tables of this transaction:
--   ingest_snap_rows: the rows that may change something (seq = position in the snapshot)
--   ingest_snap_seen: (id, seq) of every row of the snapshot
CREATE OR REPLACE FUNCTION fuel.ingest_begin_snapshot() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning AS $$
BEGIN
    IF to_regclass('pg_temp.ingest_snap_rows') IS NULL THEN
        CREATE TEMP TABLE ingest_snap_rows (
            seq bigint NOT NULL, id bigint NOT NULL, hash text, raw text NOT NULL,
            updated_at text, deleted_at text, sanitised boolean NOT NULL DEFAULT false
        ) ON COMMIT DROP;
        CREATE TEMP TABLE ingest_snap_seen (id bigint NOT NULL, seq bigint NOT NULL) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.ingest_snap_rows, pg_temp.ingest_snap_seen;
    END IF;
END;
$$;

-- Creates (or empties) the change-file staging table of this transaction (one row per change,
-- seq = position in the file; row columns NULL for a delete).
CREATE OR REPLACE FUNCTION fuel.ingest_begin_changes() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning AS $$
BEGIN
    IF to_regclass('pg_temp.ingest_chg_rows') IS NULL THEN
        CREATE TEMP TABLE ingest_chg_rows (
            seq bigint NOT NULL, op text NOT NULL, id bigint NOT NULL, changed_at text,
            hash text, raw text, updated_at text, deleted_at text,
            sanitised boolean NOT NULL DEFAULT false
        ) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.ingest_chg_rows;
    END IF;
END;
$$;

-- Applies the staged snapshot taken at p_exported_at. Returns the counts as jsonb; when a guard
-- refuses (and p_force is false) returns {"refused": reason, ...} and writes nothing.
CREATE OR REPLACE FUNCTION fuel.apply_snapshot(p_exported_at timestamptz, p_force boolean,
                                               p_max_delete_fraction numeric) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET fuel.normalised_by_ingest = on AS $$
DECLARE
    v_last timestamptz;
    v_seen bigint;
    v_ids bigint;
    v_live bigint;
    v_missing bigint;
    v_plan record;
    v_flagged bigint;
    v_flags jsonb;
    v_refused text;
BEGIN
    ANALYZE pg_temp.ingest_snap_rows;
    ANALYZE pg_temp.ingest_snap_seen;
    SELECT snapshot_exported_at INTO v_last FROM fuel.ingest_state WHERE stream = 'snapshot';
    SELECT count(*), count(DISTINCT id) INTO v_seen, v_ids FROM pg_temp.ingest_snap_seen;

    -- Only the last occurrence of an id counts; the decision per staged row is made once, here.
    DROP TABLE IF EXISTS pg_temp.ingest_snap_plan;
    CREATE TEMP TABLE ingest_snap_plan ON COMMIT DROP AS
    WITH last AS (
        SELECT id, max(seq) AS seq FROM pg_temp.ingest_snap_seen GROUP BY id
    ), inc AS (
        SELECT s.id, s.hash, s.raw, s.sanitised,
               coalesce(fuel.ingest_ts(s.updated_at), '-infinity') AS v,
               CASE WHEN fuel.ingest_is_set(s.deleted_at)
                    THEN coalesce(fuel.ingest_ts(s.deleted_at), p_exported_at) END AS new_deleted_at
        FROM pg_temp.ingest_snap_rows s JOIN last USING (id, seq)
    )
    SELECT inc.*,
           CASE
               WHEN r.id IS NULL THEN 'insert'
               -- Same content and liveness: nothing to do (the pipeline does not even ship these).
               WHEN r.content_hash IS NOT DISTINCT FROM decode(inc.hash, 'hex')
                    AND (r.deleted_at IS NULL) = (inc.new_deleted_at IS NULL) THEN 'unchanged'
               WHEN r.change_batch_at > p_exported_at THEN 'stale'
               WHEN inc.v < r.version THEN 'stale'
               WHEN r.deleted_at IS NOT NULL AND inc.new_deleted_at IS NULL THEN 'undelete'
               WHEN r.deleted_at IS NULL AND inc.new_deleted_at IS NOT NULL THEN 'soft_delete'
               ELSE 'update'
           END AS action
    FROM inc LEFT JOIN fuel.records r ON r.id = inc.id;

    SELECT count(*) FILTER (WHERE action = 'insert') AS inserted,
           count(*) FILTER (WHERE action = 'update') AS updated,
           count(*) FILTER (WHERE action = 'undelete') AS undeleted,
           count(*) FILTER (WHERE action = 'soft_delete') AS soft_deleted,
           count(*) FILTER (WHERE action = 'stale') AS stale,
           count(*) FILTER (WHERE action <> 'unchanged') AS acted
    INTO v_plan FROM pg_temp.ingest_snap_plan;

    -- A live row absent from the snapshot was hard-deleted at the source, unless the stored data
    -- is newer than the picture (a change batch touched it after exported_at).
    SELECT count(*) INTO v_live FROM fuel.records WHERE deleted_at IS NULL;
    SELECT count(*) INTO v_missing
    FROM fuel.records r
    WHERE r.deleted_at IS NULL
      AND r.version <= p_exported_at
      AND (r.change_batch_at IS NULL OR r.change_batch_at <= p_exported_at)
      AND NOT EXISTS (SELECT 1 FROM pg_temp.ingest_snap_seen s WHERE s.id = r.id);

    IF v_last IS NOT NULL AND p_exported_at < v_last THEN
        v_refused := 'older_snapshot';
    ELSIF v_live > 0 AND v_seen = 0 THEN
        v_refused := 'empty';
    ELSIF v_live > 0 AND (v_missing + v_plan.soft_deleted) > p_max_delete_fraction * v_live THEN
        v_refused := 'mass_delete';
    END IF;
    IF v_refused IS NOT NULL AND NOT p_force THEN
        RETURN jsonb_build_object('refused', v_refused, 'live_rows', v_live,
                                  'would_soft_delete', v_missing + v_plan.soft_deleted,
                                  'last_exported_at', v_last);
    END IF;

    WITH ins AS (
        INSERT INTO fuel.records (id, raw, content_hash, version, deleted_at, deleted_reason, sanitised,
                                  message_id, reported_at, fill_date, vehicle_reg, vehicle_reg_raw, driver_name,
                                  department, station, litres, price_per_litre, amount, odometer_km,
                                  fuel_type, payment_method, receipt_no, full_tank, notes, flags,
                                  source_created_at, source_updated_at, source_deleted_at)
        SELECT p.id, p.j, decode(p.hash, 'hex'), p.v, p.new_deleted_at,
               CASE WHEN p.new_deleted_at IS NOT NULL THEN 'source' END, p.sanitised,
               n.message_id, n.reported_at, n.fill_date, n.vehicle_reg, n.vehicle_reg_raw,
               n.driver_name, n.department, n.station, n.litres, n.price_per_litre, n.amount,
               n.odometer_km, n.fuel_type, n.payment_method, n.receipt_no, n.full_tank, n.notes,
               n.flags, n.source_created_at, n.source_updated_at, n.source_deleted_at
        FROM (SELECT *, raw::jsonb AS j FROM pg_temp.ingest_snap_plan WHERE action = 'insert' OFFSET 0) p
        CROSS JOIN LATERAL fuel.normalise(p.j) AS n
        RETURNING flags
    ), upd AS (
        UPDATE fuel.records r
        SET raw = p.j, content_hash = decode(p.hash, 'hex'), version = p.v,
            deleted_at = p.new_deleted_at,
            deleted_reason = CASE WHEN p.new_deleted_at IS NOT NULL THEN 'source' END,
            sanitised = p.sanitised, last_changed_at = now(),
            message_id = n.message_id,
            reported_at = n.reported_at,
            fill_date = n.fill_date,
            vehicle_reg = n.vehicle_reg,
            vehicle_reg_raw = n.vehicle_reg_raw,
            driver_name = n.driver_name,
            department = n.department,
            station = n.station,
            litres = n.litres,
            price_per_litre = n.price_per_litre,
            amount = n.amount,
            odometer_km = n.odometer_km,
            fuel_type = n.fuel_type,
            payment_method = n.payment_method,
            receipt_no = n.receipt_no,
            full_tank = n.full_tank,
            notes = n.notes,
            flags = n.flags,
            source_created_at = n.source_created_at,
            source_updated_at = n.source_updated_at,
            source_deleted_at = n.source_deleted_at
        FROM (SELECT *, raw::jsonb AS j FROM pg_temp.ingest_snap_plan
              WHERE action IN ('update', 'undelete', 'soft_delete') OFFSET 0) p
        CROSS JOIN LATERAL fuel.normalise(p.j) AS n
        WHERE r.id = p.id
        RETURNING r.flags
    ), w AS (
        SELECT flags FROM ins UNION ALL SELECT flags FROM upd
    )
    SELECT count(*) FILTER (WHERE cardinality(w.flags) > 0),
           coalesce((SELECT jsonb_object_agg(f, n) FROM (
               SELECT f, count(*) AS n FROM w, unnest(w.flags) AS f GROUP BY f) x), '{}'::jsonb)
    INTO v_flagged, v_flags FROM w;

    UPDATE fuel.records r
    SET deleted_at = p_exported_at, deleted_reason = 'missing_from_snapshot', last_changed_at = now()
    WHERE r.deleted_at IS NULL
      AND r.version <= p_exported_at
      AND (r.change_batch_at IS NULL OR r.change_batch_at <= p_exported_at)
      AND NOT EXISTS (SELECT 1 FROM pg_temp.ingest_snap_seen s WHERE s.id = r.id);

    RETURN jsonb_build_object(
        'inserted', v_plan.inserted, 'updated', v_plan.updated, 'undeleted', v_plan.undeleted,
        'soft_deleted', v_plan.soft_deleted + v_missing, 'stale', v_plan.stale,
        'unchanged', v_ids - v_plan.acted, 'duplicates', v_seen - v_ids,
        'flagged', v_flagged, 'flags', v_flags, 'forced', v_refused IS NOT NULL,
        'refused_reason', v_refused);
END;
$$;

-- Applies the staged change file. p_file_time (the object's Last-Modified) stands in for a
-- missing changed_at. Within the file the last change of an id wins; the rest count as duplicates.
CREATE OR REPLACE FUNCTION fuel.apply_change_file(p_file_time timestamptz) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET fuel.normalised_by_ingest = on AS $$
DECLARE
    v_all bigint;
    v_ids bigint;
    v_plan record;
    v_flagged bigint;
    v_flags jsonb;
BEGIN
    ANALYZE pg_temp.ingest_chg_rows;
    SELECT count(*), count(DISTINCT id) INTO v_all, v_ids FROM pg_temp.ingest_chg_rows;

    DROP TABLE IF EXISTS pg_temp.ingest_chg_plan;
    CREATE TEMP TABLE ingest_chg_plan ON COMMIT DROP AS
    WITH last AS (
        SELECT id, max(seq) AS seq FROM pg_temp.ingest_chg_rows GROUP BY id
    ), inc AS (
        SELECT c.id, lower(c.op) = 'delete' AS is_delete, c.hash, c.raw, c.sanitised,
               coalesce(fuel.ingest_ts(c.changed_at), p_file_time) AS eff,
               coalesce(fuel.ingest_ts(CASE WHEN lower(c.op) = 'delete' THEN c.changed_at
                                            ELSE c.updated_at END), '-infinity') AS v,
               fuel.ingest_is_set(c.deleted_at) AS src_deleted, c.deleted_at AS src_deleted_text
        FROM pg_temp.ingest_chg_rows c JOIN last USING (id, seq)
    ), d AS (
        SELECT inc.id, inc.hash, inc.raw, inc.sanitised, inc.eff, inc.v, inc.is_delete,
               CASE WHEN inc.is_delete THEN inc.eff
                    WHEN inc.src_deleted THEN coalesce(fuel.ingest_ts(inc.src_deleted_text), inc.eff)
               END AS new_deleted_at,
               CASE WHEN inc.is_delete THEN 'delete_op' WHEN inc.src_deleted THEN 'source' END AS new_reason,
               r.id IS NOT NULL AS known, r.version AS s_version, r.deleted_at AS s_deleted_at,
               r.deleted_reason AS s_reason, r.content_hash AS s_hash
        FROM inc LEFT JOIN fuel.records r ON r.id = inc.id
    )
    SELECT d.*,
           CASE
               WHEN NOT known AND is_delete THEN 'tombstone'
               WHEN NOT known THEN 'insert'
               WHEN v < s_version THEN 'stale'
               WHEN is_delete AND s_deleted_at IS NULL THEN 'soft_delete'
               WHEN is_delete AND (s_reason = 'source'
                                   OR (s_reason = 'delete_op' AND s_deleted_at = eff)) THEN 'unchanged'
               WHEN is_delete THEN 'redelete'
               WHEN s_hash IS NOT DISTINCT FROM decode(hash, 'hex')
                    AND (s_deleted_at IS NULL) = (new_deleted_at IS NULL) THEN 'unchanged'
               WHEN s_deleted_at IS NOT NULL AND new_deleted_at IS NULL THEN 'undelete'
               WHEN s_deleted_at IS NULL AND new_deleted_at IS NOT NULL THEN 'soft_delete'
               ELSE 'update'
           END AS action
    FROM d;

    SELECT count(*) FILTER (WHERE action = 'insert') AS inserted,
           count(*) FILTER (WHERE action IN ('update', 'redelete')) AS updated,
           count(*) FILTER (WHERE action = 'undelete') AS undeleted,
           count(*) FILTER (WHERE action IN ('soft_delete', 'tombstone')) AS soft_deleted,
           count(*) FILTER (WHERE action = 'stale') AS stale,
           count(*) FILTER (WHERE action = 'unchanged') AS unchanged
    INTO v_plan FROM pg_temp.ingest_chg_plan;

    WITH ins AS (
        INSERT INTO fuel.records (id, raw, content_hash, version, deleted_at, deleted_reason,
                                  sanitised, change_batch_at,
                                  message_id, reported_at, fill_date, vehicle_reg, vehicle_reg_raw, driver_name,
                                  department, station, litres, price_per_litre, amount, odometer_km,
                                  fuel_type, payment_method, receipt_no, full_tank, notes, flags,
                                  source_created_at, source_updated_at, source_deleted_at)
        SELECT p.id, p.j, CASE WHEN p.action = 'tombstone' THEN NULL ELSE decode(p.hash, 'hex') END,
               p.v, p.new_deleted_at, p.new_reason, p.sanitised, p.eff,
               n.message_id, n.reported_at, n.fill_date, n.vehicle_reg, n.vehicle_reg_raw,
               n.driver_name, n.department, n.station, n.litres, n.price_per_litre, n.amount,
               n.odometer_km, n.fuel_type, n.payment_method, n.receipt_no, n.full_tank, n.notes,
               n.flags, n.source_created_at, n.source_updated_at, n.source_deleted_at
        FROM (SELECT *, CASE WHEN action = 'tombstone' THEN '{}'::jsonb ELSE raw::jsonb END AS j
              FROM pg_temp.ingest_chg_plan WHERE action IN ('insert', 'tombstone') OFFSET 0) p
        CROSS JOIN LATERAL fuel.normalise(p.j) AS n
        RETURNING flags, raw <> '{}'::jsonb AS has_row
    ), upd_row AS (
        UPDATE fuel.records r
        SET raw = p.j, content_hash = decode(p.hash, 'hex'), version = p.v,
            deleted_at = p.new_deleted_at, deleted_reason = p.new_reason, sanitised = p.sanitised,
            change_batch_at = greatest(r.change_batch_at, p.eff), last_changed_at = now(),
            message_id = n.message_id,
            reported_at = n.reported_at,
            fill_date = n.fill_date,
            vehicle_reg = n.vehicle_reg,
            vehicle_reg_raw = n.vehicle_reg_raw,
            driver_name = n.driver_name,
            department = n.department,
            station = n.station,
            litres = n.litres,
            price_per_litre = n.price_per_litre,
            amount = n.amount,
            odometer_km = n.odometer_km,
            fuel_type = n.fuel_type,
            payment_method = n.payment_method,
            receipt_no = n.receipt_no,
            full_tank = n.full_tank,
            notes = n.notes,
            flags = n.flags,
            source_created_at = n.source_created_at,
            source_updated_at = n.source_updated_at,
            source_deleted_at = n.source_deleted_at
        FROM (SELECT *, raw::jsonb AS j FROM pg_temp.ingest_chg_plan
              WHERE NOT is_delete AND action IN ('update', 'undelete', 'soft_delete') OFFSET 0) p
        CROSS JOIN LATERAL fuel.normalise(p.j) AS n
        WHERE r.id = p.id
        RETURNING r.flags
    ), upd_del AS (
        -- A delete keeps the stored row and only marks it; the trigger on raw does not run.
        UPDATE fuel.records r
        SET deleted_at = p.new_deleted_at, deleted_reason = 'delete_op', version = p.v,
            change_batch_at = greatest(r.change_batch_at, p.eff), last_changed_at = now()
        FROM pg_temp.ingest_chg_plan p
        WHERE r.id = p.id AND p.is_delete AND p.action IN ('soft_delete', 'redelete')
        RETURNING r.id
    ), w AS (
        SELECT flags FROM ins WHERE has_row UNION ALL SELECT flags FROM upd_row
    )
    SELECT count(*) FILTER (WHERE cardinality(w.flags) > 0),
           coalesce((SELECT jsonb_object_agg(f, n) FROM (
               SELECT f, count(*) AS n FROM w, unnest(w.flags) AS f GROUP BY f) x), '{}'::jsonb)
    INTO v_flagged, v_flags FROM w;

    RETURN jsonb_build_object(
        'inserted', v_plan.inserted, 'updated', v_plan.updated, 'undeleted', v_plan.undeleted,
        'soft_deleted', v_plan.soft_deleted, 'stale', v_plan.stale, 'unchanged', v_plan.unchanged,
        'duplicates', v_all - v_ids, 'flagged', v_flagged, 'flags', v_flags);
END;
$$;
