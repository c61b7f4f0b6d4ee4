-- Normalisation of fuel.records: raw jsonb -> typed columns and quality flags (contract section 4).
--
-- Repeatable migration: re-applied whenever this text changes, so everything here is idempotent.
-- Every function pins its search_path, never reads the session's TimeZone or DateStyle, and never
-- raises for any input: what it cannot read becomes NULL (and, where the contract says so, a flag).
-- Regexp checks decide before any cast, so no per-value exception blocks (subtransactions) are used.
-- Whitespace means spaces and tabs (contract section 4).

-- Contract section 4, "collapsed": trimmed, inner runs of spaces/tabs turned into one space, '' -> NULL.
-- Used for driver name, station (case kept) and, before title case, department.
CREATE OR REPLACE FUNCTION fuel.collapse(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN NULLIF(btrim(regexp_replace(value, '[ \t]+', ' ', 'g'), ' '), '');
END
$$;

-- Contract section 4, plate: the part before the first '/', upper case, only A-Z0-9 ('' -> NULL).
-- The views join tracksolid.devices.vehicle_number through this same function.
-- Upper-casing under the "C" collation keeps the result independent of the database locale.
CREATE OR REPLACE FUNCTION fuel.plate(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN NULLIF(upper(regexp_replace(split_part(value, '/', 1), '[^A-Za-z0-9]+', '', 'g') COLLATE "C"), '');
END
$$;

-- Contract section 4, department: collapsed, then title case ('LOGISTICS' -> 'Logistics').
CREATE OR REPLACE FUNCTION fuel.department(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN initcap(fuel.collapse(value));
END
$$;

-- Contract section 4, numbers: the text that is left once spaces/tabs, currency words (KES, Ksh),
-- units (L, ltrs, km) and '/=' are removed and thousands separators (a comma followed by exactly
-- three digits) dropped. NULL for a missing or blank value (missing, no flag); anything else,
-- even '' after cleaning (e.g. 'KES'), is returned so the caller can flag it when it is not a number.
-- Currency words are only stripped at the ends: a letter inside a number is a typo, not a unit.
CREATE OR REPLACE FUNCTION fuel.clean_number(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    t text;
BEGIN
    t := regexp_replace(value, '[ \t]+', '', 'g');
    IF t = '' THEN
        RETURN NULL;
    END IF;
    -- Real numbers are short; the cap also bounds the cost of the anchored regexps below.
    IF length(t) > 200 THEN
        RETURN '?';
    END IF;
    t := regexp_replace(t, '^(kes|ksh)+', '', 'i');
    t := regexp_replace(t, '(kes|ksh|ltrs|km|l|/=)+$', '', 'i');
    RETURN regexp_replace(t, ',(?=[0-9]{3}([^0-9]|$))', '', 'g');
END
$$;

-- Contract section 4, numbers: a plain decimal number or NULL. At most 15 integer digits (a litre,
-- price or KES amount beyond 10^15 is junk, and the bound keeps the derivations from overflowing).
-- A NULL result for a non-blank input means the flag unparseable_number.
CREATE OR REPLACE FUNCTION fuel.parse_number(value text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    t text;
BEGIN
    -- Most values (all JSON numbers) are already plain: skip the cleaning.
    IF value ~ '^-?[0-9]{1,15}(\.[0-9]{1,100})?$' THEN
        RETURN value::numeric;
    END IF;
    t := fuel.clean_number(value);
    IF t ~ '^[+-]?0*([0-9]{1,15}(\.[0-9]{0,100})?|\.[0-9]{1,100})$' THEN
        RETURN t::numeric;
    END IF;
    RETURN NULL;
END
$$;

-- Contract section 4, odometer: integer km after the same cleaning; 0 stays 0. Fractional, negative
-- or beyond integer range -> NULL (the caller flags unparseable_number). '123456.0' is integral.
CREATE OR REPLACE FUNCTION fuel.parse_odometer(value text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    t text := fuel.clean_number(value);
    n bigint;
BEGIN
    IF t ~ '^\+?0*[0-9]{1,10}(\.0*)?$' THEN
        n := trunc(t::numeric)::bigint;
        IF n <= 2147483647 THEN
            RETURN n::integer;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- A calendar date, or NULL when the parts do not form one (no exception is ever raised).
CREATE OR REPLACE FUNCTION fuel.make_date_or_null(y integer, m integer, d integer) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    IF y BETWEEN 1 AND 9999 AND m BETWEEN 1 AND 12 AND d BETWEEN 1 AND 31
       AND d <= (make_date(y, m, 1) + interval '1 month')::date - make_date(y, m, 1) THEN
        RETURN make_date(y, m, d);
    END IF;
    RETURN NULL;
END
$$;

-- Contract section 4, fill date: YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY (day first, day and month may be
-- one digit), or a timestamp whose date part is taken as written (its offset is ignored). NULL when
-- unreadable; the fallback to reported_at and the unreadable_date flag are decided in fuel.normalise.
-- Shapes are checked with plain regexp matches and fields cut with split_part: capture groups make
-- PostgreSQL's regexp engine an order of magnitude slower.
CREATE OR REPLACE FUNCTION fuel.parse_date(value text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    s text := btrim(value, E' \t');
BEGIN
    IF length(s) > 64 THEN
        RETURN NULL;
    END IF;
    IF s ~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$' THEN
        RETURN fuel.make_date_or_null(split_part(s, '/', 3)::integer, split_part(s, '/', 2)::integer,
                                      split_part(s, '/', 1)::integer);
    END IF;
    IF s ~ '^[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}$' THEN
        RETURN fuel.make_date_or_null(split_part(s, '-', 3)::integer, split_part(s, '-', 2)::integer,
                                      split_part(s, '-', 1)::integer);
    END IF;
    -- The same shape as fuel.parse_timestamptz accepts.
    IF s ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ] *[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? *([Zz]|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?)?)?$' THEN
        s := split_part(split_part(split_part(s, 'T', 1), 't', 1), ' ', 1);
        RETURN fuel.make_date_or_null(split_part(s, '-', 1)::integer, split_part(s, '-', 2)::integer,
                                      split_part(s, '-', 3)::integer);
    END IF;
    RETURN NULL;
END
$$;

-- Contract section 4, timestamps (reported_at, created_at, updated_at, deleted_at):
-- 'YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]][offset]]', offset Z, UTC, GMT, +03, +0300 or +03:00.
-- Without an offset the time is Africa/Nairobi, a fixed UTC+3 by contract: applied as an explicit
-- interval (ISO sign: east positive), never through the session time zone. NULL when unreadable.
-- Fractions beyond microseconds are cut, not rounded, so 59.9999999 stays within its minute.
CREATE OR REPLACE FUNCTION fuel.parse_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    s text := btrim(value, E' \t');
    part text;
    clock text;
    secs text;
    d date;
    k integer;
    hh integer;
    mi integer;
    ss integer;
    oh integer;
    om integer;
    zone interval := interval '3 hours';
BEGIN
    IF length(s) > 64 OR s !~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ] *[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? *([Zz]|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?)?)?$' THEN
        RETURN NULL;
    END IF;
    part := split_part(split_part(split_part(s, 'T', 1), 't', 1), ' ', 1);
    d := fuel.make_date_or_null(split_part(part, '-', 1)::integer, split_part(part, '-', 2)::integer,
                                split_part(part, '-', 3)::integer);
    IF d IS NULL THEN
        RETURN NULL;
    END IF;
    -- What follows the date: 'HH:MM[:SS[.f]][ ][offset]' or nothing (midnight).
    part := ltrim(substr(s, length(part) + 1), 'Tt ');
    clock := rtrim(part, 'ZzUTCGM');
    IF clock <> part THEN
        zone := interval '0';
    ELSE
        k := greatest(strpos(part, '+'), strpos(part, '-'));
        IF k > 0 THEN
            secs := replace(substr(part, k + 1), ':', '');
            oh := left(secs, 2)::integer;
            om := coalesce(NULLIF(substr(secs, 3), ''), '0')::integer;
            IF oh > 15 OR om > 59 THEN
                RETURN NULL;
            END IF;
            zone := (oh * 60 + om) * interval '1 minute';
            IF substr(part, k, 1) = '-' THEN
                zone := -zone;
            END IF;
            clock := left(part, k - 1);
        END IF;
    END IF;
    clock := rtrim(clock, ' ');
    IF clock = '' THEN
        RETURN d::timestamp AT TIME ZONE zone;
    END IF;
    hh := split_part(clock, ':', 1)::integer;
    mi := split_part(clock, ':', 2)::integer;
    secs := translate(split_part(clock, ':', 3), ',', '.');
    ss := coalesce(NULLIF(split_part(secs, '.', 1), ''), '0')::integer;
    IF hh > 23 OR mi > 59 OR ss > 59 THEN
        RETURN NULL;
    END IF;
    RETURN (d + make_time(hh, mi, 0)
            + (ss * 1000000 + rpad(left(split_part(secs, '.', 2), 6), 6, '0')::integer) * interval '1 microsecond')
           AT TIME ZONE zone;
END
$$;

-- Contract section 4 as a whole: every typed column of fuel.records from one raw row, in the order
-- of the table. The trigger below uses it, and an ingest can apply it set-based with identical
-- results: SELECT n.* FROM src, LATERAL fuel.normalise(src.raw) AS n.
-- Flags come out in the contract's order, each at most once; an empty array when there are none.
DROP FUNCTION IF EXISTS fuel.normalise(jsonb);
CREATE FUNCTION fuel.normalise(
    raw jsonb,
    OUT message_id text,
    OUT reported_at timestamptz,
    OUT fill_date date,
    OUT vehicle_reg text,
    OUT vehicle_reg_raw text,
    OUT driver_name text,
    OUT department text,
    OUT station text,
    OUT litres numeric,
    OUT price_per_litre numeric,
    OUT amount numeric,
    OUT odometer_km integer,
    OUT fuel_type text,
    OUT payment_method text,
    OUT receipt_no text,
    OUT full_tank boolean,
    OUT notes text,
    OUT flags text[],
    OUT source_created_at timestamptz,
    OUT source_updated_at timestamptz,
    OUT source_deleted_at timestamptz)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    t text;
    bad_number boolean := false;
    mismatch boolean := false;
    d_amount boolean := false;
    d_litres boolean := false;
    d_price boolean := false;
    bad_date boolean := false;
    bad_bool boolean := false;
BEGIN
    -- A JSON string, number or boolean reads as its text; JSON null and a missing key as NULL.
    message_id := fuel.collapse(raw ->> 'message_id');
    reported_at := fuel.parse_timestamptz(raw ->> 'reported_at');
    source_created_at := fuel.parse_timestamptz(raw ->> 'created_at');
    source_updated_at := fuel.parse_timestamptz(raw ->> 'updated_at');
    source_deleted_at := fuel.parse_timestamptz(raw ->> 'deleted_at');

    vehicle_reg_raw := raw ->> 'vehicle_reg';
    vehicle_reg := fuel.plate(vehicle_reg_raw);
    driver_name := fuel.collapse(raw ->> 'driver_name');
    department := fuel.department(raw ->> 'department');
    station := fuel.collapse(raw ->> 'station');
    receipt_no := fuel.collapse(raw ->> 'receipt_no');
    notes := NULLIF(raw ->> 'notes', '');

    t := raw ->> 'litres';
    litres := fuel.parse_number(t);
    bad_number := bad_number OR (litres IS NULL AND coalesce(btrim(t, E' \t'), '') <> '');
    t := raw ->> 'price_per_litre';
    price_per_litre := fuel.parse_number(t);
    bad_number := bad_number OR (price_per_litre IS NULL AND coalesce(btrim(t, E' \t'), '') <> '');
    t := raw ->> 'amount';
    amount := fuel.parse_number(t);
    bad_number := bad_number OR (amount IS NULL AND coalesce(btrim(t, E' \t'), '') <> '');
    t := raw ->> 'odometer';
    odometer_km := fuel.parse_odometer(t);
    bad_number := bad_number OR (odometer_km IS NULL AND coalesce(btrim(t, E' \t'), '') <> '');

    -- Exactly one of the three missing: derive it (never dividing by zero).
    IF amount IS NULL AND litres IS NOT NULL AND price_per_litre IS NOT NULL THEN
        amount := round(litres * price_per_litre, 2);
        d_amount := true;
    ELSIF price_per_litre IS NULL AND litres IS NOT NULL AND amount IS NOT NULL AND litres <> 0 THEN
        price_per_litre := round(amount / litres, 2);
        d_price := true;
    ELSIF litres IS NULL AND amount IS NOT NULL AND price_per_litre IS NOT NULL AND price_per_litre <> 0 THEN
        litres := round(amount / price_per_litre, 2);
        d_litres := true;
    ELSIF amount IS NOT NULL AND litres IS NOT NULL AND price_per_litre IS NOT NULL THEN
        mismatch := abs(litres * price_per_litre - amount) > 0.02 * abs(amount);
    END IF;

    t := lower(NULLIF(btrim(raw ->> 'fuel_type', E' \t'), ''));
    fuel_type := CASE
        WHEN t IN ('diesel', 'ago') THEN 'diesel'
        WHEN t IN ('petrol', 'pms', 'super', 'unleaded') THEN 'petrol'
        ELSE t
    END;
    payment_method := NULLIF(lower(regexp_replace(raw ->> 'payment_method', '[ \t-]+', '', 'g')), '');

    -- A blank string is missing, like an empty number; anything unrecognised is flagged.
    t := lower(btrim(raw ->> 'full_tank', E' \t'));
    full_tank := CASE
        WHEN t IN ('true', 'yes', 'y', '1') THEN true
        WHEN t IN ('false', 'no', 'n', '0') THEN false
    END;
    bad_bool := full_tank IS NULL AND coalesce(t, '') <> '';

    t := raw ->> 'fill_date';
    fill_date := fuel.parse_date(t);
    IF fill_date IS NULL THEN
        bad_date := coalesce(btrim(t, E' \t'), '') <> '';
        fill_date := (reported_at AT TIME ZONE interval '3 hours')::date;
    END IF;

    flags := array_remove(ARRAY[
        CASE WHEN bad_number THEN 'unparseable_number' END,
        CASE WHEN mismatch THEN 'price_mismatch' END,
        CASE WHEN d_amount THEN 'derived_amount' END,
        CASE WHEN d_litres THEN 'derived_litres' END,
        CASE WHEN d_price THEN 'derived_price_per_litre' END,
        CASE WHEN bad_date THEN 'unreadable_date' END,
        CASE WHEN bad_bool THEN 'unparseable_bool' END
    ]::text[], NULL);
END
$$;

-- The trigger that keeps the typed columns equal to fuel.normalise(raw) for every writer, and for a
-- reprocess with UPDATE fuel.records SET raw = raw. It touches nothing but the normalised columns:
-- id, raw, deleted_at and the ingest bookkeeping belong to the writer.
CREATE OR REPLACE FUNCTION fuel.records_normalise() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    n record;
BEGIN
    n := fuel.normalise(NEW.raw);
    NEW.message_id := n.message_id;
    NEW.reported_at := n.reported_at;
    NEW.fill_date := n.fill_date;
    NEW.vehicle_reg := n.vehicle_reg;
    NEW.vehicle_reg_raw := n.vehicle_reg_raw;
    NEW.driver_name := n.driver_name;
    NEW.department := n.department;
    NEW.station := n.station;
    NEW.litres := n.litres;
    NEW.price_per_litre := n.price_per_litre;
    NEW.amount := n.amount;
    NEW.odometer_km := n.odometer_km;
    NEW.fuel_type := n.fuel_type;
    NEW.payment_method := n.payment_method;
    NEW.receipt_no := n.receipt_no;
    NEW.full_tank := n.full_tank;
    NEW.notes := n.notes;
    NEW.flags := n.flags;
    NEW.source_created_at := n.source_created_at;
    NEW.source_updated_at := n.source_updated_at;
    NEW.source_deleted_at := n.source_deleted_at;
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER records_normalise
    BEFORE INSERT OR UPDATE OF raw ON fuel.records
    FOR EACH ROW EXECUTE FUNCTION fuel.records_normalise();
