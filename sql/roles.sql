-- Least-privilege setup for ccetl. Run once as a superuser (or a role with CREATEROLE that owns
-- the database), e.g. `psql -d warehouse -f roles.sql`. Idempotent.
--
--   ccetl_loader  LOGIN role ccetl connects as. Owns only the target schema (`centercode`; edit
--                 the name below if your jobs use another) and the `ccetl` catalog schema. It
--                 cannot create schemas or touch anything else in the database.
--   ccetl_reader  NOLOGIN group for BI users: USAGE + SELECT on the target schema, including
--                 tables and views ccetl creates later (default privileges). Grant it to people:
--                 `CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE ccetl_reader;`
--
-- Set the loader's password separately: `ALTER ROLE ccetl_loader PASSWORD '...';`
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ccetl_loader') THEN
    CREATE ROLE ccetl_loader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ccetl_reader') THEN
    CREATE ROLE ccetl_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO ccetl_loader, ccetl_reader', current_database());
END
$$;

CREATE SCHEMA IF NOT EXISTS centercode AUTHORIZATION ccetl_loader;
ALTER SCHEMA centercode OWNER TO ccetl_loader;
CREATE SCHEMA IF NOT EXISTS ccetl AUTHORIZATION ccetl_loader;
ALTER SCHEMA ccetl OWNER TO ccetl_loader;

-- BI users read the target schema only (ccetl.rejects may hold raw source values).
GRANT USAGE ON SCHEMA centercode TO ccetl_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA centercode TO ccetl_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE ccetl_loader IN SCHEMA centercode
  GRANT SELECT ON TABLES TO ccetl_reader;
