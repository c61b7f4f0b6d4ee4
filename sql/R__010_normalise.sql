-- Normalisation of fuel.records: raw jsonb -> typed columns and quality flags (contract section 4).
--
-- A rule file: installed only by the writer, with every stored row normalised again
-- (fuel.renormalise, at the end), when the rules in force are not this build's; everything here is
-- idempotent. Any change to this text is a new rules version: sql/rules-versions.txt.
-- Every function pins its search_path (the inlinable fuel.norm_* blocks are bound when created
-- instead), never reads the session's TimeZone or DateStyle, and never
-- raises for any input: what it cannot read becomes NULL (and, where the contract says so, a flag).
-- Regexp checks decide before any cast, so no per-value exception blocks (subtransactions) are used.
-- Whitespace means spaces and tabs (contract section 4).

-- Inlinable building blocks. Helper calls with a SET clause cost a GUC save/restore each and can
-- never be inlined, and fuel.normalise used ~20 of them per row; so the rules that are single
-- expressions live here as SQL-standard bodies (RETURN ...): no SET clause, bound to their objects
-- when created (so they cannot depend on any caller's search_path), and inlined by the planner into
-- fuel.normalise and into the pinned public helpers below, which stay the definitions to call.
-- Regexps with bounded repeats ({1,100}) are slow in PostgreSQL (a DFA is built per match): the
-- shapes are checked with unbounded ones and the bounds with lengths, which accepts the same text.

-- fuel.collapse without its SET clause.
CREATE OR REPLACE FUNCTION fuel.norm_collapse(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN NULLIF(pg_catalog.btrim(pg_catalog.regexp_replace(value, '[ \t]+', ' ', 'g'), ' '), '');

-- fuel.plate without its SET clause.
CREATE OR REPLACE FUNCTION fuel.norm_plate(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN NULLIF(pg_catalog.upper(pg_catalog.regexp_replace(pg_catalog.split_part(value, '/', 1), '[^A-Za-z0-9]+', '', 'g')
                               COLLATE "C"), '');

-- Contract section 4, case: Unicode's own mappings, never the database's locale or collation.
-- lower() and upper() under "C" map A-Z (a-z) and nothing else, whatever the database, which is
-- exactly the mapping for ASCII text; other text goes to the tables of R__005.
CREATE OR REPLACE FUNCTION fuel.norm_lower(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.octet_length(value) = pg_catalog.length(value) THEN pg_catalog.lower(value COLLATE "C")
            ELSE fuel.unicode_lower(value) END;

CREATE OR REPLACE FUNCTION fuel.norm_upper(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.octet_length(value) = pg_catalog.length(value) THEN pg_catalog.upper(value COLLATE "C")
            ELSE fuel.unicode_upper(value) END;

-- Contract section 4, title case: in each word (a run of letters, digits and apostrophes:
-- fuel.unicode_word_chars) the first character that is not an apostrophe upper case, every other
-- character lower case ("o'neil  DEPT" -> O'neil  Dept, "st.john x.y" -> St.John X.Y,
-- "'twas 2ND" -> 'Twas 2nd). The words are cut by a regexp of code-point ranges, so no collation
-- takes part. fuel.norm_title below takes the common text without coming here.
CREATE OR REPLACE FUNCTION fuel.title_case(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    result text;
BEGIN
    -- Runs of word characters (m[1]) and of other characters (m[2]), in order.
    SELECT string_agg(CASE WHEN p.word IS NULL THEN fuel.norm_lower(r.m[2])
                           ELSE left(p.word, length(p.word) - length(p.rest)) || fuel.norm_upper(left(p.rest, 1))
                                || fuel.norm_lower(substr(p.rest, 2)) END,
                      '' ORDER BY r.n)
    INTO result
    FROM regexp_matches(value COLLATE "C",
                        '([' || fuel.unicode_word_chars() || ']+)|([^' || fuel.unicode_word_chars() || ']+)',
                        'g') WITH ORDINALITY AS r(m, n)
    CROSS JOIN LATERAL (SELECT r.m[1], ltrim(r.m[1], '''’')) AS p(word, rest);
    RETURN result;
END
$$;

-- initcap() under "C" is that rule for ASCII text without apostrophes: its words are the runs of
-- A-Za-z0-9, the first character upper, the rest lower, other characters left as they are.
CREATE OR REPLACE FUNCTION fuel.norm_title(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.octet_length(value) = pg_catalog.length(value) AND pg_catalog.strpos(value, '''') = 0
            THEN pg_catalog.initcap(value COLLATE "C")
            ELSE fuel.title_case(value) END;

-- A number that is already plain, '^-?[0-9]{1,15}(\.[0-9]{1,100})?$' (all JSON numbers), else NULL.
CREATE OR REPLACE FUNCTION fuel.norm_plain_number(value text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value OPERATOR(pg_catalog.~) '^-?[0-9]+(\.[0-9]+)?$'
                 AND pg_catalog.length(pg_catalog.ltrim(pg_catalog.split_part(value, '.', 1), '-')) <= 15
                 AND pg_catalog.length(pg_catalog.split_part(value, '.', 2)) <= 100
            THEN value::numeric END;

-- A cleaned number (fuel.clean_number's result) read as '^[+-]?0*([0-9]{1,15}(\.[0-9]{0,100})?|\.[0-9]{1,100})$'.
CREATE OR REPLACE FUNCTION fuel.norm_cleaned_number(t text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN t OPERATOR(pg_catalog.~) '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$'
                 AND pg_catalog.length(pg_catalog.ltrim(pg_catalog.split_part(pg_catalog.ltrim(t, '+-'), '.', 1), '0')) <= 15
                 AND pg_catalog.length(pg_catalog.split_part(t, '.', 2)) <= 100
            THEN t::numeric END;

-- An odometer of plain digits (what most rows hold), else NULL; larger than an integer is NULL too.
CREATE OR REPLACE FUNCTION fuel.norm_plain_odometer(value text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value OPERATOR(pg_catalog.~) '^[0-9]+$' AND pg_catalog.length(value) <= 10
                 AND value::bigint <= 2147483647
            THEN value::bigint::integer END;

-- fuel.make_date_or_null without its SET clause.
CREATE OR REPLACE FUNCTION fuel.norm_date(y integer, m integer, d integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN y BETWEEN 1 AND 9999 AND m BETWEEN 1 AND 12
                 AND d BETWEEN 1 AND CASE WHEN m = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0
                                                               THEN 29 ELSE 28 END
                                          WHEN m IN (4, 6, 9, 11) THEN 30 ELSE 31 END
            THEN pg_catalog.make_date(y, m, d) END;

-- Digits turned into '0': a text matches a regexp of fixed shapes exactly when this does.
CREATE OR REPLACE FUNCTION fuel.norm_shape(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.translate(value, '0123456789', '0000000000');

-- True for the common timestamp shapes (fuel.norm_shape of a trimmed value), each of which matches
-- the timestamp regexp of fuel.parse_timestamptz; other shapes are left to that regexp.
CREATE OR REPLACE FUNCTION fuel.norm_common_timestamp_shape(shape text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN shape = ANY ('{0000-00-00,0000-0-0,0000-00-0,0000-0-00,0000-00-00T00:00:00+00:00,0000-00-00T00:00:00-00:00,'
                    '0000-00-00T00:00:00Z,0000-00-00T00:00:00,"0000-00-00 00:00:00","0000-00-00 00:00",'
                    '"0000-00-00 00:00:00+00:00","0000-00-00 00:00:00Z","0000-00-00 00:00 +0000",'
                    '"0000-00-00 00:00:00 +0000",0000-00-00T00:00:00.000Z,0000-00-00T00:00:00.000000Z,'
                    '0000-00-00T00:00:00.000000+00:00,0000-00-00T00:00:00.000+00:00,0000-00-00T00:00Z,'
                    '0000-00-00T00:00+00:00,0000-00-00T00:00:00+0000,0000-00-00T00:00:00+00}'::text[]);

-- The timestamp shapes fuel.parse_timestamptz reads (s trimmed, shape its fuel.norm_shape):
-- 'YYYY-M-D[( |T)H:MM[:SS[.f]][ ][Z|UTC|GMT|+HH[[:]MM]]]'. The common shapes are a list lookup; the
-- regexp, the definition, runs only for the others.
CREATE OR REPLACE FUNCTION fuel.norm_timestamp_shape(s text, shape text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fuel.norm_common_timestamp_shape(shape)
       OR s OPERATOR(pg_catalog.~) '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ] *[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)? *([Zz]|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?)?)?$';

-- A day-first date shape: D/M/YYYY or D-M-YYYY, day and month of one or two digits, one kind of
-- separator (shape: fuel.norm_shape of the trimmed text).
CREATE OR REPLACE FUNCTION fuel.norm_day_first_shape(shape text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.translate(shape, '/', '-') IN ('00-00-0000', '0-00-0000', '00-0-0000', '0-0-0000')
       AND (pg_catalog.strpos(shape, '/') = 0 OR pg_catalog.strpos(shape, '-') = 0);

-- The date of a text of a day-first shape (fuel.norm_day_first_shape), or NULL when it is no date.
CREATE OR REPLACE FUNCTION fuel.norm_day_first_date(s text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fuel.norm_date(pg_catalog.split_part(pg_catalog.translate(s, '/', '-'), '-', 3)::integer,
                      pg_catalog.split_part(pg_catalog.translate(s, '/', '-'), '-', 2)::integer,
                      pg_catalog.split_part(pg_catalog.translate(s, '/', '-'), '-', 1)::integer);

-- The commonest timestamp shapes, trimmed, read at fixed positions without fuel.parse_timestamptz's
-- statements: 'YYYY-MM-DD( |T)HH:MM:SS' with no offset, 'Z', or '+HH:MM'/'-HH:MM'. NULL for any
-- other text (and for an invalid value of these shapes), so callers fall back to the full parser,
-- which gives the same result for these shapes.
CREATE OR REPLACE FUNCTION fuel.norm_common_timestamptz(s text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.length(s) IN (19, 20, 25)
                 AND fuel.norm_shape(s) IN ('0000-00-00 00:00:00', '0000-00-00T00:00:00', '0000-00-00T00:00:00Z',
                                            '0000-00-00 00:00:00Z', '0000-00-00T00:00:00+00:00', '0000-00-00T00:00:00-00:00')
                 AND pg_catalog.substr(s, 12, 2)::integer <= 23 AND pg_catalog.substr(s, 15, 2)::integer <= 59
                 AND pg_catalog.substr(s, 18, 2)::integer <= 59
                 AND (pg_catalog.length(s) < 25
                      OR (pg_catalog.substr(s, 21, 2)::integer <= 15 AND pg_catalog.substr(s, 24, 2)::integer <= 59))
                 AND fuel.norm_date(pg_catalog.substr(s, 1, 4)::integer, pg_catalog.substr(s, 6, 2)::integer,
                                    pg_catalog.substr(s, 9, 2)::integer) IS NOT NULL
            THEN pg_catalog.make_timestamp(pg_catalog.substr(s, 1, 4)::integer, pg_catalog.substr(s, 6, 2)::integer,
                                           pg_catalog.substr(s, 9, 2)::integer, pg_catalog.substr(s, 12, 2)::integer,
                                           pg_catalog.substr(s, 15, 2)::integer, pg_catalog.substr(s, 18, 2)::integer)
                 AT TIME ZONE CASE pg_catalog.length(s)
                     WHEN 19 THEN interval '3 hours'
                     WHEN 20 THEN interval '0'
                     ELSE CASE WHEN pg_catalog.substr(s, 20, 1) = '-' THEN -1 ELSE 1 END
                          * ((pg_catalog.substr(s, 21, 2)::integer * 60 + pg_catalog.substr(s, 24, 2)::integer)
                             * interval '1 minute')
                 END
       END;

-- fuel.clean_number in steps, for fuel.normalise to run on the output of translate(value, E' \t', '')
-- (t). Each regexp runs only when its text can match, and not on text beyond the 200-character cap
-- (fuel.norm_clean_commas turns that into '?'); they spell out both cases of each letter instead
-- of matching case-insensitively, so no collation takes part. A currency word may carry a full
-- stop (contract v1.1: 'Ksh. 500' is 500, '8212 KES.' is 8212); a unit may not. First the leading
-- currency words:
CREATE OR REPLACE FUNCTION fuel.norm_clean_lead(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.left(t, 1) IN ('k', 'K') AND pg_catalog.length(t) <= 200
            THEN pg_catalog.regexp_replace(t, '^(?:(?:[kK][eE][sS]|[kK][sS][hH])\.?)+', '') ELSE t END;

-- ... then the trailing currency words and units ...
CREATE OR REPLACE FUNCTION fuel.norm_clean_trail(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN pg_catalog.right(t, 1) IN ('s', 'S', 'h', 'H', 'm', 'M', 'l', 'L', '=', '.') AND pg_catalog.length(t) <= 200
            THEN pg_catalog.regexp_replace(t, '(?:(?:[kK][eE][sS]|[kK][sS][hH])\.?|[lL][tT][rR][sS]|[kK][mM]|[lL]|/=)+$', '')
            ELSE t END;

-- ... then the thousands separators, giving fuel.clean_number's result (t0: the text before the
-- steps, t2: after the two above).
CREATE OR REPLACE FUNCTION fuel.norm_clean_commas(t0 text, t2 text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN t0 = '' THEN NULL
            WHEN pg_catalog.length(t0) > 200 THEN '?'
            WHEN pg_catalog.strpos(t2, ',') = 0 THEN t2
            ELSE pg_catalog.regexp_replace(t2, ',(?=[0-9]{3}([^0-9]|$))', '', 'g') END;

-- fuel.clean_number without its SET clause: the three steps over the value without spaces/tabs.
-- fuel.normalise runs the same steps one statement each, for the reason given at its head.
CREATE OR REPLACE FUNCTION fuel.norm_clean(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fuel.norm_clean_commas(pg_catalog.translate(value, E' \t', ''),
                              fuel.norm_clean_trail(fuel.norm_clean_lead(pg_catalog.translate(value, E' \t', ''))));

-- The odometer rule (contract section 4) over a cleaned text (fuel.clean_number's result):
-- '^\+?0*[0-9]{1,10}(\.0*)?$' and within integer range, else NULL. fuel.parse_odometer and
-- fuel.normalise both read it here.
CREATE OR REPLACE FUNCTION fuel.norm_cleaned_odometer(t text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN t OPERATOR(pg_catalog.~) '^\+?[0-9]+(\.0*)?$'
                 AND pg_catalog.length(pg_catalog.ltrim(pg_catalog.split_part(pg_catalog.ltrim(t, '+'), '.', 1), '0')) <= 10
                 AND pg_catalog.trunc(t::numeric)::bigint <= 2147483647
            THEN pg_catalog.trunc(t::numeric)::bigint::integer END;

-- Contract section 4, "collapsed": trimmed, inner runs of spaces/tabs turned into one space, '' -> NULL.
-- Used for driver name, station (case kept) and, before title case, department.
CREATE OR REPLACE FUNCTION fuel.collapse(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN fuel.norm_collapse(value);
END
$$;

-- Contract section 4, plate: the part before the first '/', upper case, only A-Z0-9 ('' -> NULL).
-- The views join tracksolid.devices.vehicle_number through this same function.
-- Only ASCII letters are left when it upper-cases, so upper() under "C" is the whole mapping.
CREATE OR REPLACE FUNCTION fuel.plate(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN fuel.norm_plate(value);
END
$$;

-- Contract section 4, department: collapsed, then title case ('LOGISTICS' -> 'Logistics').
CREATE OR REPLACE FUNCTION fuel.department(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN fuel.norm_title(fuel.norm_collapse(value));
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
BEGIN
    RETURN fuel.norm_clean(value);
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
    n numeric := fuel.norm_plain_number(value);
    t text;
BEGIN
    -- Most values (all JSON numbers) are already plain: skip the cleaning.
    IF n IS NOT NULL THEN
        RETURN n;
    END IF;
    t := fuel.clean_number(value);
    RETURN fuel.norm_cleaned_number(t);
END
$$;

-- Contract section 4, odometer: integer km after the same cleaning; 0 stays 0. Fractional, negative
-- or beyond integer range -> NULL (the caller flags unparseable_number). '123456.0' is integral.
CREATE OR REPLACE FUNCTION fuel.parse_odometer(value text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN coalesce(fuel.norm_plain_odometer(value), fuel.norm_cleaned_odometer(fuel.norm_clean(value)));
END
$$;

-- A calendar date, or NULL when the parts do not form one (no exception is ever raised).
CREATE OR REPLACE FUNCTION fuel.make_date_or_null(y integer, m integer, d integer) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, fuel
AS $$
BEGIN
    RETURN fuel.norm_date(y, m, d);
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
    shape text;
BEGIN
    IF length(s) > 64 THEN
        RETURN NULL;
    END IF;
    shape := fuel.norm_shape(s);
    IF fuel.norm_day_first_shape(shape) THEN
        RETURN fuel.norm_day_first_date(s);
    END IF;
    -- The same shape as fuel.parse_timestamptz accepts.
    IF fuel.norm_timestamp_shape(s, shape) THEN
        s := split_part(split_part(split_part(s, 'T', 1), 't', 1), ' ', 1);
        RETURN fuel.norm_date(split_part(s, '-', 1)::integer, split_part(s, '-', 2)::integer,
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
    IF length(s) > 64 THEN
        RETURN NULL;
    END IF;
    IF NOT fuel.norm_timestamp_shape(s, fuel.norm_shape(s)) THEN
        RETURN NULL;
    END IF;
    part := split_part(split_part(split_part(s, 'T', 1), 't', 1), ' ', 1);
    d := fuel.norm_date(split_part(part, '-', 1)::integer, split_part(part, '-', 2)::integer,
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
-- The common shapes are read inline and the pinned parsers above (a SET clause and a plpgsql call
-- each) only see what those cannot read. It stays plpgsql: a LANGUAGE sql version of this row
-- function is not inlined (it returns one row, not a set) and re-initialises its executor state on
-- every call: measured 3x slower than this plpgsql (245 vs 77 µs per row, PostgreSQL 15).
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
    c0 text;
    c text;
    shape text;
    bad_number boolean := false;
    mismatch boolean := false;
    d_amount boolean := false;
    d_litres boolean := false;
    d_price boolean := false;
    bad_date boolean := false;
    bad_bool boolean := false;
BEGIN
    -- A JSON string, number or boolean reads as its text; JSON null and a missing key as NULL.
    -- The fuel.norm_* blocks get their arguments through variables (t, c0, c). The planner inlines
    -- a block only by copying its argument to every place the block uses it, or, when that
    -- argument is costly and used more than once, not at all (a SQL function call per value):
    -- given fuel.norm_collapse(...) directly, fuel.norm_title ran its regexp four times, and
    -- fuel.norm_clean's steps composed in one expression were calls. Together that made this
    -- function 40 % slower (50 000 rows, PostgreSQL 15).
    message_id := fuel.norm_collapse(raw ->> 'message_id');
    -- The full parser reads nothing that does not start 'YYYY-', so other text never reaches it.
    t := btrim(raw ->> 'reported_at', E' \t');
    reported_at := coalesce(fuel.norm_common_timestamptz(t), CASE WHEN fuel.norm_shape(left(t, 5)) = '0000-' THEN fuel.parse_timestamptz(t) END);
    t := btrim(raw ->> 'created_at', E' \t');
    source_created_at := coalesce(fuel.norm_common_timestamptz(t), CASE WHEN fuel.norm_shape(left(t, 5)) = '0000-' THEN fuel.parse_timestamptz(t) END);
    t := btrim(raw ->> 'updated_at', E' \t');
    source_updated_at := coalesce(fuel.norm_common_timestamptz(t), CASE WHEN fuel.norm_shape(left(t, 5)) = '0000-' THEN fuel.parse_timestamptz(t) END);
    t := btrim(raw ->> 'deleted_at', E' \t');
    source_deleted_at := coalesce(fuel.norm_common_timestamptz(t), CASE WHEN fuel.norm_shape(left(t, 5)) = '0000-' THEN fuel.parse_timestamptz(t) END);

    -- An empty or all-whitespace string is missing in every field (contract v1.1), also where
    -- the text is otherwise kept as written.
    t := raw ->> 'vehicle_reg';
    vehicle_reg_raw := CASE WHEN btrim(t, E' \t') <> '' THEN t END;
    vehicle_reg := fuel.norm_plate(t);
    driver_name := fuel.norm_collapse(raw ->> 'driver_name');
    t := fuel.norm_collapse(raw ->> 'department');
    department := fuel.norm_title(t);
    station := fuel.norm_collapse(raw ->> 'station');
    receipt_no := fuel.norm_collapse(raw ->> 'receipt_no');
    t := raw ->> 'notes';
    notes := CASE WHEN btrim(t, E' \t') <> '' THEN t END;

    t := raw ->> 'litres';
    litres := fuel.norm_plain_number(t);
    IF litres IS NULL AND t IS NOT NULL THEN
        c0 := translate(t, E' \t', '');
        c := fuel.norm_clean_lead(c0);
        c := fuel.norm_clean_trail(c);
        c := fuel.norm_clean_commas(c0, c);
        litres := fuel.norm_cleaned_number(c);
    END IF;
    bad_number := bad_number OR (litres IS NULL AND coalesce(btrim(t, E' \t'), '') <> '');
    t := raw ->> 'price_per_litre';
    price_per_litre := fuel.norm_plain_number(t);
    IF price_per_litre IS NULL AND t IS NOT NULL THEN
        c0 := translate(t, E' \t', '');
        c := fuel.norm_clean_lead(c0);
        c := fuel.norm_clean_trail(c);
        c := fuel.norm_clean_commas(c0, c);
        price_per_litre := fuel.norm_cleaned_number(c);
    END IF;
    bad_number := bad_number OR (price_per_litre IS NULL AND coalesce(btrim(t, E' \t'), '') <> '');
    t := raw ->> 'amount';
    amount := fuel.norm_plain_number(t);
    IF amount IS NULL AND t IS NOT NULL THEN
        c0 := translate(t, E' \t', '');
        c := fuel.norm_clean_lead(c0);
        c := fuel.norm_clean_trail(c);
        c := fuel.norm_clean_commas(c0, c);
        amount := fuel.norm_cleaned_number(c);
    END IF;
    bad_number := bad_number OR (amount IS NULL AND coalesce(btrim(t, E' \t'), '') <> '');
    t := raw ->> 'odometer';
    odometer_km := fuel.norm_plain_odometer(t);
    IF odometer_km IS NULL AND t IS NOT NULL THEN
        c0 := translate(t, E' \t', '');
        c := fuel.norm_clean_lead(c0);
        c := fuel.norm_clean_trail(c);
        c := fuel.norm_clean_commas(c0, c);
        odometer_km := fuel.norm_cleaned_odometer(c);
    END IF;
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

    -- (tests/rules builds a variant of these rules that adds 'gasoil' to the first list: keep the
    -- line as it is, or change tests/rules/next_rules.cmake with it.)
    t := NULLIF(btrim(raw ->> 'fuel_type', E' \t'), '');
    t := fuel.norm_lower(t);
    fuel_type := CASE
        WHEN t IN ('diesel', 'ago') THEN 'diesel'
        WHEN t IN ('petrol', 'pms', 'super', 'unleaded') THEN 'petrol'
        ELSE t
    END;
    -- Removing every space, tab and '-' is what the contract's rule does; translate is a regexp's fraction.
    t := translate(raw ->> 'payment_method', E' \t-', '');
    payment_method := NULLIF(fuel.norm_lower(t), '');

    -- A blank string is missing, like an empty number; anything unrecognised is flagged.
    t := btrim(raw ->> 'full_tank', E' \t');
    t := fuel.norm_lower(t);
    full_tank := CASE
        WHEN t IN ('true', 'yes', 'y', '1') THEN true
        WHEN t IN ('false', 'no', 'n', '0') THEN false
    END;
    bad_bool := full_tank IS NULL AND coalesce(t, '') <> '';

    -- The shapes fuel.parse_date reads first, read here the same way; other text goes to it.
    t := raw ->> 'fill_date';
    c := btrim(t, E' \t');
    shape := fuel.norm_shape(c);
    fill_date := CASE
        WHEN c IS NULL OR c = '' THEN NULL
        WHEN fuel.norm_day_first_shape(shape) THEN fuel.norm_day_first_date(c)
        WHEN left(shape, 11) IN ('0000-00-00', '0000-00-00T', '0000-00-00 ') AND fuel.norm_common_timestamp_shape(shape)
            THEN fuel.norm_date(substr(c, 1, 4)::integer, substr(c, 6, 2)::integer, substr(c, 9, 2)::integer)
        ELSE fuel.parse_date(t)
    END;
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
-- The ingest's apply functions (R__030) write the typed columns themselves (read by the stager, or
-- by fuel.normalise over its staging table) and run with fuel.normalised_by_ingest = on (a SET
-- clause of those functions, so it never outlives them). The trigger's WHEN clause skips their
-- rows without entering plpgsql at all: a call that only returned NEW cost about 2 µs a row, a
-- sixth of a first load's budget (docs/performance.md). Any other writer, which leaves the
-- setting unset, is normalised here.
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
    FOR EACH ROW
    WHEN (pg_catalog.current_setting('fuel.normalised_by_ingest', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION fuel.records_normalise();

-- Contract §7: a release that changes these rules brings every stored row in line with them. This
-- sets the typed columns of the rows with p_after < id <= p_upto to fuel.normalise(raw) where they
-- differ, and returns how many it changed. The writer that installs a release's rules calls it
-- batch after batch in the transaction that runs this file (lib/db/rules_install.cpp), so readers
-- see every row under the old rules or every row under the new. Rows whose columns already agree
-- are not written: an install whose rules give the same columns costs the reading only. Numerics
-- are compared as text, as fleetfuel verify compares them: 45.5 and 45.50 are not the same.
-- Nothing else of the row moves (raw, liveness, version, last_changed_at: the source did not
-- change), and the trigger does not run (it fires on UPDATE OF raw only).
CREATE OR REPLACE FUNCTION fuel.renormalise(p_after bigint, p_upto bigint) RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, fuel
AS $$
DECLARE
    changed bigint;
BEGIN
    UPDATE fuel.records AS r
    SET message_id = n.message_id,
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
    FROM (SELECT s.id, x.*
          FROM fuel.records AS s CROSS JOIN LATERAL fuel.normalise(s.raw) AS x
          WHERE s.id > p_after AND s.id <= p_upto) AS n
    WHERE r.id = n.id
      AND ROW(r.message_id, r.reported_at, r.fill_date, r.vehicle_reg, r.vehicle_reg_raw,
            r.driver_name, r.department, r.station, r.litres::text,
            r.price_per_litre::text, r.amount::text, r.odometer_km, r.fuel_type,
            r.payment_method, r.receipt_no, r.full_tank, r.notes, r.flags,
            r.source_created_at, r.source_updated_at, r.source_deleted_at)
          IS DISTINCT FROM
          ROW(n.message_id, n.reported_at, n.fill_date, n.vehicle_reg, n.vehicle_reg_raw,
            n.driver_name, n.department, n.station, n.litres::text,
            n.price_per_litre::text, n.amount::text, n.odometer_km, n.fuel_type,
            n.payment_method, n.receipt_no, n.full_tank, n.notes, n.flags,
            n.source_created_at, n.source_updated_at, n.source_deleted_at);
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END
$$;
