-- The normalisation rules in force, and every install of them (contract §7). The rules
-- (sql/R__005_unicode_case.sql, sql/R__010_normalise.sql and the C++ reader that mirrors them) belong
-- to a release; only its writer installs them, together with normalising every stored row again, in
-- one transaction that ends with a row here. The row with the greatest id is the version in force.
CREATE TABLE fuel.rules_history (
    id                 bigserial PRIMARY KEY,
    serial             integer NOT NULL CHECK (serial > 0),  -- orders versions (sql/rules-versions.txt)
    hash               text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),  -- SHA-256 of the rule files
    registered         boolean NOT NULL,  -- false: a build whose rules sql/rules-versions.txt lacks
    action             text NOT NULL CHECK (action IN ('install', 'upgrade', 'downgrade')),
    fleetfuel_version  text NOT NULL,     -- the release that installed them
    rows_total         bigint NOT NULL,   -- stored rows normalised again
    rows_changed       bigint NOT NULL,   -- of those, rows whose typed columns changed
    duration_ms        bigint NOT NULL,
    installed_at       timestamptz NOT NULL DEFAULT now()
);
