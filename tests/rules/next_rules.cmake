# The "next" normalisation rules of tests/rules: this release's rules with one visible rule added,
# fuel type "gasoil" read as diesel (today it stays "gasoil"). Built into the test-only binary
# fleetfuel_next_rules, which plays a newer release against the same database as `fleetfuel`.
# lib/db/embed_sql.cmake changes the SQL, FF_TEST_NEXT_RULES the C++ reader
# (lib/parse/typed_columns.cpp); the build fails when the SQL text below is not found exactly once.
set(FF_VARIANT_SQL_FILE R__010_normalise.sql)
set(FF_VARIANT_SQL_FROM "WHEN t IN ('diesel', 'ago') THEN 'diesel'")
set(FF_VARIANT_SQL_TO "WHEN t IN ('diesel', 'ago', 'gasoil') THEN 'diesel'")
