-- Load after seed.sql: a function outside fuel that names fuel.records only inside its body.
-- PostgreSQL records no dependency for that, so adopting cannot refuse; it warns by name.
CREATE FUNCTION public.fuel_litres_total() RETURNS numeric
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN RETURN (SELECT sum(litres) FROM fuel.records WHERE deleted_at IS NULL); END $$;
