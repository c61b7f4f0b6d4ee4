-- Change files (contract sections 3 and 5): the staging table the change stager fills with COPY,
-- and fuel.apply_change_file, which applies a staged file with the rules of section 5. Typed
-- columns arrive as the head of R__030_ingest.sql describes; that file also holds fuel.ingest_ts,
-- which reads a change's time where the stager did not.

-- Creates (or empties) the change-file staging table of this transaction (one row per change,
-- seq = position in the file; hash, raw and the typed columns NULL for a delete; changed_ts the
-- stager's reading of changed_at, NULL where it left the text to fuel.ingest_ts).
CREATE OR REPLACE FUNCTION fuel.ingest_begin_changes() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning AS $$
BEGIN
    IF to_regclass('pg_temp.ingest_chg_rows') IS NULL THEN
        CREATE TEMP TABLE ingest_chg_rows (
            seq bigint NOT NULL, op text NOT NULL, id bigint NOT NULL, changed_at text,
            changed_ts timestamptz,
            hash text, raw jsonb, sanitised boolean NOT NULL, src_deleted boolean NOT NULL,
            typed boolean NOT NULL,
            message_id text, reported_at timestamptz, fill_date date, vehicle_reg text,
            vehicle_reg_raw text, driver_name text, department text, station text, litres numeric,
            price_per_litre numeric, amount numeric, odometer_km integer, fuel_type text,
            payment_method text, receipt_no text, full_tank boolean, notes text, flags text[],
            source_created_at timestamptz, source_updated_at timestamptz, source_deleted_at timestamptz
        ) ON COMMIT DROP;
    ELSE
        TRUNCATE pg_temp.ingest_chg_rows;
    END IF;
END;
$$;

-- What one staged change brings: whether it is a delete, its version (its row's updated_at; a
-- delete's changed_at; -infinity when missing), its time (changed_at, or p_file_time, the
-- object's Last-Modified, when missing), its content hash, and the liveness its row says (the
-- source's deleted_at, or the change's time when the source marks the row deleted without a
-- readable time; NULL: live). changed_at is the stager's reading (p_changed_ts) where it made
-- one, else fuel.ingest_ts's. A SQL-standard body without a SET clause, so the planner inlines it.
CREATE OR REPLACE FUNCTION fuel.ingest_change_input(p_op text, p_changed_at text,
                                                    p_changed_ts timestamptz, p_hash text,
                                                    p_src_deleted boolean,
                                                    p_updated_at timestamptz,
                                                    p_deleted_at timestamptz,
                                                    p_file_time timestamptz)
RETURNS TABLE (is_delete boolean, v timestamptz, eff timestamptz, hash bytea,
               row_deleted_at timestamptz)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT d.is_delete,
           CASE WHEN d.is_delete THEN coalesce(d.changed_at, '-infinity')
                ELSE coalesce(p_updated_at, '-infinity') END,
           coalesce(d.changed_at, p_file_time),
           decode(p_hash, 'hex'),
           CASE WHEN NOT d.is_delete AND p_src_deleted
                THEN coalesce(p_deleted_at, d.changed_at, p_file_time) END
    FROM (SELECT pg_catalog.lower(p_op) = 'delete' AS is_delete,
                 coalesce(p_changed_ts, fuel.ingest_ts(p_changed_at)) AS changed_at) AS d;
END;

-- One change held against the state of its id by then (contract section 5): what it does, and
-- the state it leaves. The rule is written here once; fuel.apply_change_file uses it for the
-- first change of every id in a file and again for each later change of the same id.
--   s_known false: no stored row yet (the other s_ are NULL): an insert, or a tombstone.
--   Older than the stored version: stale, whatever it is.
--   A delete carries its own version: it always moves the stored version, also on a row already
--   deleted; the liveness marker stays the source's deleted_at where the source set one.
--   An equal version with equal content changes nothing, whatever the liveness marker says (a
--   late copy of the change that brought a row does not bring it back).
-- takes_row: the state now holds this change's row (a tombstone: the delete's row, or none).
CREATE OR REPLACE FUNCTION fuel.ingest_change_step(s_known boolean, s_version timestamptz,
                                                   s_hash bytea, s_deleted_at timestamptz,
                                                   s_reason text, c_delete boolean,
                                                   c_v timestamptz, c_eff timestamptz,
                                                   c_hash bytea, c_row_deleted_at timestamptz)
RETURNS TABLE (action text, takes_row boolean, version timestamptz, content_hash bytea,
               deleted_at timestamptz, deleted_reason text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT a.action,
           a.action IN ('insert', 'tombstone', 'update', 'undelete', 'soft_delete'),
           CASE WHEN a.action IN ('stale', 'unchanged') THEN s_version ELSE c_v END,
           CASE WHEN a.action IN ('insert', 'tombstone', 'update', 'undelete', 'soft_delete')
                THEN c_hash ELSE s_hash END,
           CASE a.action
               WHEN 'stale' THEN s_deleted_at
               WHEN 'unchanged' THEN s_deleted_at
               WHEN 'tombstone' THEN c_eff
               WHEN 'delete' THEN c_eff
               WHEN 'redelete' THEN CASE WHEN s_reason = 'source' THEN s_deleted_at ELSE c_eff END
               ELSE c_row_deleted_at
           END,
           CASE a.action
               WHEN 'stale' THEN s_reason
               WHEN 'unchanged' THEN s_reason
               WHEN 'tombstone' THEN 'delete_op'
               WHEN 'delete' THEN 'delete_op'
               WHEN 'redelete' THEN CASE WHEN s_reason = 'source' THEN 'source' ELSE 'delete_op' END
               ELSE CASE WHEN c_row_deleted_at IS NOT NULL THEN 'source' END
           END
    FROM (SELECT CASE
                     WHEN NOT s_known THEN CASE WHEN c_delete THEN 'tombstone' ELSE 'insert' END
                     WHEN c_v < s_version THEN 'stale'
                     WHEN c_delete AND s_deleted_at IS NULL THEN 'delete'
                     WHEN c_delete AND c_v = s_version
                          AND (s_reason = 'source'
                               OR (s_reason = 'delete_op' AND s_deleted_at = c_eff)) THEN 'unchanged'
                     WHEN c_delete THEN 'redelete'
                     WHEN c_v = s_version AND c_hash = s_hash THEN 'unchanged'
                     WHEN s_deleted_at IS NOT NULL AND c_row_deleted_at IS NULL THEN 'undelete'
                     WHEN s_deleted_at IS NULL AND c_row_deleted_at IS NOT NULL THEN 'soft_delete'
                     ELSE 'update'
                 END AS action) AS a;
END;

-- Part 2 of fuel.apply_change_file: the changes after the first of every id changed more than
-- once in the file. The k-th changes of all such ids are held against the states their (k-1)-th
-- changes left, in one statement, for k = 2 up to p_most (the most changes any id has in the
-- file); each state goes into ingest_chg_steps as a row of its own, so each statement costs in
-- proportion to its own changes, also when one id has thousands of changes beside thousands of
-- ids with one. (Updating one state row per change instead would drag every earlier version of
-- that row along: versions a transaction replaced are not pruned before it ends.) Then each id's
-- last state goes back into ingest_chg_state. enable_seqscan = off: every statement here finds
-- its rows by index; the rank statement's plan, cached while ingest_chg_steps held a few rows,
-- would otherwise scan it whole at every later rank.
CREATE OR REPLACE FUNCTION fuel.ingest_apply_later_changes(p_file_time timestamptz,
                                                           p_most bigint) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET jit = off
SET work_mem = '32MB'
SET enable_seqscan = off AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.ingest_chg_later;
    CREATE TEMP TABLE ingest_chg_later ON COMMIT DROP AS
    SELECT x.k, x.seq, x.id, x.flags, i.*
    FROM (SELECT c.seq, c.id, row_number() OVER (PARTITION BY c.id ORDER BY c.seq) AS k, c.op,
                 c.changed_at, c.changed_ts, c.hash, c.src_deleted, c.source_updated_at,
                 c.source_deleted_at, c.flags
          FROM pg_temp.ingest_chg_rows c JOIN pg_temp.ingest_chg_state s ON s.id = c.id
          WHERE s.n > 1) AS x
    CROSS JOIN LATERAL fuel.ingest_change_input(x.op, x.changed_at, x.changed_ts, x.hash,
                                                x.src_deleted,
                                                x.source_updated_at, x.source_deleted_at,
                                                p_file_time) AS i
    WHERE x.k > 1;
    CREATE INDEX ON pg_temp.ingest_chg_later (k);
    ANALYZE pg_temp.ingest_chg_later (k, id);

    INSERT INTO pg_temp.ingest_chg_steps
        (k, id, version, content_hash, deleted_at, deleted_reason, row_seq, wrote, change_batch_at)
    SELECT 1, id, version, content_hash, deleted_at, deleted_reason, row_seq, wrote, change_batch_at
    FROM pg_temp.ingest_chg_state WHERE n > 1;
    CREATE UNIQUE INDEX ON pg_temp.ingest_chg_steps (k, id);
    ANALYZE pg_temp.ingest_chg_steps (k, id);

    FOR v_k IN 2..p_most LOOP
        INSERT INTO pg_temp.ingest_chg_steps
        SELECT v_k, l.id, st.version, st.content_hash, st.deleted_at, st.deleted_reason,
               CASE WHEN st.takes_row THEN l.seq ELSE p.row_seq END,
               p.wrote OR st.action NOT IN ('stale', 'unchanged'),
               CASE WHEN st.action IN ('stale', 'unchanged') THEN p.change_batch_at
                    ELSE greatest(p.change_batch_at, l.eff) END,
               st.action, CASE WHEN st.takes_row THEN l.flags END
        FROM pg_temp.ingest_chg_later l
        JOIN pg_temp.ingest_chg_steps p ON p.k = v_k - 1 AND p.id = l.id
        CROSS JOIN LATERAL fuel.ingest_change_step(true, p.version, p.content_hash, p.deleted_at,
                                                   p.deleted_reason, l.is_delete, l.v, l.eff,
                                                   l.hash, l.row_deleted_at) AS st
        WHERE l.k = v_k;
    END LOOP;

    UPDATE pg_temp.ingest_chg_state s
    SET (version, content_hash, deleted_at, deleted_reason, row_seq, wrote, change_batch_at)
      = (p.version, p.content_hash, p.deleted_at, p.deleted_reason, p.row_seq, p.wrote,
         p.change_batch_at)
    FROM pg_temp.ingest_chg_steps p
    WHERE p.id = s.id AND p.k = s.n;
END;
$$;

-- Part 3 of fuel.apply_change_file: each id's final state in ingest_chg_state, written once. New
-- ids are inserted (a tombstone is the delete's row, or '{}', whose normalisation is all NULL and
-- no flags); stored ids are rewritten from the staged row the state holds, or only marked when the
-- file moved their liveness or version alone.
CREATE OR REPLACE FUNCTION fuel.ingest_write_change_states() RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET jit = off
SET work_mem = '32MB'
SET fuel.normalised_by_ingest = on AS $$
BEGIN
    INSERT INTO fuel.records (id, raw, content_hash, version, deleted_at, deleted_reason,
                              sanitised, change_batch_at,
                              message_id, reported_at, fill_date, vehicle_reg, vehicle_reg_raw, driver_name,
                              department, station, litres, price_per_litre, amount, odometer_km,
                              fuel_type, payment_method, receipt_no, full_tank, notes, flags,
                              source_created_at, source_updated_at, source_deleted_at)
    SELECT s.id, coalesce(c.raw, '{}'), s.content_hash, s.version, s.deleted_at, s.deleted_reason,
           c.sanitised, s.change_batch_at,
           c.message_id, c.reported_at, c.fill_date, c.vehicle_reg, c.vehicle_reg_raw,
           c.driver_name, c.department, c.station, c.litres, c.price_per_litre, c.amount,
           c.odometer_km, c.fuel_type, c.payment_method, c.receipt_no, c.full_tank, c.notes,
           coalesce(c.flags, '{}'), c.source_created_at, c.source_updated_at, c.source_deleted_at
    FROM pg_temp.ingest_chg_state s JOIN pg_temp.ingest_chg_rows c ON c.seq = s.row_seq
    WHERE NOT s.stored;

    UPDATE fuel.records r
    SET (raw, content_hash, version, deleted_at, deleted_reason, sanitised, change_batch_at,
         last_changed_at,
         message_id, reported_at, fill_date, vehicle_reg, vehicle_reg_raw, driver_name,
         department, station, litres, price_per_litre, amount, odometer_km,
         fuel_type, payment_method, receipt_no, full_tank, notes, flags,
         source_created_at, source_updated_at, source_deleted_at)
      = (c.raw, s.content_hash, s.version, s.deleted_at, s.deleted_reason, c.sanitised,
         s.change_batch_at, now(),
         c.message_id, c.reported_at, c.fill_date, c.vehicle_reg, c.vehicle_reg_raw,
         c.driver_name, c.department, c.station, c.litres, c.price_per_litre, c.amount,
         c.odometer_km, c.fuel_type, c.payment_method, c.receipt_no, c.full_tank, c.notes,
         c.flags, c.source_created_at, c.source_updated_at, c.source_deleted_at)
    FROM pg_temp.ingest_chg_state s JOIN pg_temp.ingest_chg_rows c ON c.seq = s.row_seq
    WHERE r.id = s.id AND s.stored AND s.wrote;

    -- The row kept, only its marks moved; the trigger on raw does not run.
    UPDATE fuel.records r
    SET version = s.version, deleted_at = s.deleted_at, deleted_reason = s.deleted_reason,
        change_batch_at = s.change_batch_at, last_changed_at = now()
    FROM pg_temp.ingest_chg_state s
    WHERE r.id = s.id AND s.stored AND s.wrote AND s.row_seq IS NULL;
END;
$$;

-- Part 4 of fuel.apply_change_file: its counts but 'duplicates'. Every change counted by what it
-- did against the state of its id by then: the first change of each id in ingest_chg_state, the
-- later ones in ingest_chg_steps; flagged and flags: the changes that wrote a row with flags.
CREATE OR REPLACE FUNCTION fuel.ingest_change_counts() RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RETURN (WITH a AS (
        SELECT first_action AS action, first_flags AS flags FROM pg_temp.ingest_chg_state
        UNION ALL
        SELECT action, flags FROM pg_temp.ingest_chg_steps WHERE k > 1
    )
    SELECT jsonb_build_object(
        'inserted', count(*) FILTER (WHERE action = 'insert'),
        'updated', count(*) FILTER (WHERE action IN ('update', 'redelete')),
        'undeleted', count(*) FILTER (WHERE action = 'undelete'),
        'soft_deleted', count(*) FILTER (WHERE action IN ('soft_delete', 'delete', 'tombstone')),
        'stale', count(*) FILTER (WHERE action = 'stale'),
        'unchanged', count(*) FILTER (WHERE action = 'unchanged'),
        'flagged', count(*) FILTER (WHERE cardinality(flags) > 0),
        'flags', coalesce((SELECT jsonb_object_agg(f, n) FROM (
            SELECT f, count(*) AS n FROM a, unnest(a.flags) AS f GROUP BY f) x), '{}'::jsonb))
    FROM a);
END;
$$;

-- Applies the staged change file: its changes one after another, in array order, each held
-- against the state of its id by then (fuel.ingest_change_step), so the result is the same
-- however the changes were cut into files. Set-based in two parts:
--   1. The first change of every id against the stored row, in one statement, into
--      ingest_chg_state (one row per id: the state the file has reached so far). A file that
--      changes each id once (the usual case) is done here.
--   2. Ids changed more than once: their k-th changes, for k = 2, 3, ..., one statement per k
--      over every id that has a k-th change. The loop runs as many times as the most changed id
--      has changes, and no statement touches a change twice.
-- 3. Each id's final state is written once. Every change is counted by what it did against the
-- state by then; 'duplicates' counts the changes of an id already changed earlier in the file
-- (each of them is also counted by what it did). p_file_time: the object's Last-Modified.
-- jit off: these statements take milliseconds, and the inlined rules make expressions large
-- enough that compiling them would cost more than running them.
CREATE OR REPLACE FUNCTION fuel.apply_change_file(p_file_time timestamptz) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
SET jit = off
SET work_mem = '32MB' AS $$
DECLARE
    v_changes bigint;
    v_ids bigint;
    v_most bigint;
BEGIN
    PERFORM fuel.ingest_normalise_staged('pg_temp.ingest_chg_rows');

    -- 1. Per id: how many changes, and the state after its first one. row_seq names the staged
    -- change whose row the state holds (NULL: the stored row's content); first_flags the flags of
    -- the row the first change wrote, for the counts.
    -- (The inputs are computed once, in a CTE of their own: inlined into the step, whose rule
    -- names each input several times, the timestamp reading would be repeated as often.)
    DROP TABLE IF EXISTS pg_temp.ingest_chg_state;
    CREATE TEMP TABLE ingest_chg_state ON COMMIT DROP AS
    WITH ids AS (
        SELECT id, min(seq) AS seq, count(*) AS n FROM pg_temp.ingest_chg_rows GROUP BY id
    ), c AS MATERIALIZED (
        SELECT ids.id, ids.n, ch.seq, ch.flags, i.*
        FROM ids
        JOIN pg_temp.ingest_chg_rows ch ON ch.seq = ids.seq
        CROSS JOIN LATERAL fuel.ingest_change_input(ch.op, ch.changed_at, ch.changed_ts, ch.hash,
                                                    ch.src_deleted,
                                                    ch.source_updated_at, ch.source_deleted_at,
                                                    p_file_time) AS i
    )
    SELECT c.id, c.n, r.id IS NOT NULL AS stored, st.action AS first_action,
           CASE WHEN st.takes_row THEN c.flags END AS first_flags,
           st.action NOT IN ('stale', 'unchanged') AS wrote,
           st.version, st.content_hash, st.deleted_at, st.deleted_reason,
           CASE WHEN st.takes_row THEN c.seq END AS row_seq,
           CASE WHEN st.action IN ('stale', 'unchanged') THEN r.change_batch_at
                ELSE greatest(r.change_batch_at, c.eff) END AS change_batch_at
    FROM c
    LEFT JOIN fuel.records r ON r.id = c.id
    CROSS JOIN LATERAL fuel.ingest_change_step(r.id IS NOT NULL, r.version, r.content_hash,
                                               r.deleted_at, r.deleted_reason, c.is_delete, c.v,
                                               c.eff, c.hash, c.row_deleted_at) AS st;
    SELECT count(*), coalesce(sum(n), 0), coalesce(max(n), 0) INTO v_ids, v_changes, v_most
    FROM pg_temp.ingest_chg_state;
    -- The columns that joins and filters below use; the rest are only copied.
    ANALYZE pg_temp.ingest_chg_state (id, n, stored, wrote, row_seq);

    -- 2. The states the later changes reach, one row per change (k: its rank among its id's
    -- changes; action: what it did; flags: of the row it wrote, for the counts).
    DROP TABLE IF EXISTS pg_temp.ingest_chg_steps;
    CREATE TEMP TABLE ingest_chg_steps (
        k bigint NOT NULL, id bigint NOT NULL, version timestamptz, content_hash bytea,
        deleted_at timestamptz, deleted_reason text, row_seq bigint, wrote boolean,
        change_batch_at timestamptz, action text, flags text[]
    ) ON COMMIT DROP;
    IF v_most > 1 THEN
        PERFORM fuel.ingest_apply_later_changes(p_file_time, v_most);
    END IF;

    PERFORM fuel.ingest_write_change_states();

    -- Only a snapshot withholds deletes; the answer has every count all the same.
    RETURN fuel.ingest_change_counts()
        || jsonb_build_object('duplicates', v_changes - v_ids, 'deletes_withheld', 0);
END;
$$;
