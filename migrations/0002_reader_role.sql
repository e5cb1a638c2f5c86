-- 0002_reader_role.sql
-- A read-only group role for BI tools and analysts: it sees the dbt marts
-- and nothing else. People log in as their own LOGIN roles that are members
-- of this group (`npm run warehouse -- --create-reader NAME`); privileges are
-- granted to the group only, never to a person.
--
-- Runs inside one transaction (see src/warehouse/migrator.ts), as the role
-- that runs migrations and dbt (DATABASE_URL's user). That role needs
-- CREATEROLE the first time, unless a DBA has created hybridbank_reader
-- already; later databases on the same cluster find the role and skip it.
--
-- What a member of hybridbank_reader can do, and why:
--   * CONNECT to this database, USAGE on schema marts, SELECT on its tables
--     and views, including the ones dbt creates after this migration (see the
--     default privileges below).
--   * Nothing on schema raw: the raw payloads stay with the loader.
--   * No write anywhere: no INSERT/UPDATE/DELETE/TRUNCATE granted, no CREATE
--     on any schema (CREATE on public is taken from PUBLIC where an old
--     cluster still grants it, see the end of this file).
--   * Temporary tables remain possible (PUBLIC's TEMP on the database):
--     they are private to the session and vanish with it; revoking TEMP from
--     PUBLIC would change every other user of this database.

-- Roles are cluster-wide, this migration runs once per database: create the
-- group only where it is missing. Two databases migrating at the same moment
-- may both see it missing; the loser of that race finds it created. The
-- comment is set only on creation: a role's comment is shared by all
-- databases, and two of them updating it at once would fail one.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hybridbank_reader') THEN
        CREATE ROLE hybridbank_reader NOLOGIN;
        COMMENT ON ROLE hybridbank_reader IS
            'hybridbank read-only group: SELECT on schema marts only. Members are created with npm run warehouse -- --create-reader NAME.';
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        RAISE NOTICE 'role hybridbank_reader was created concurrently; using it';
END
$$;

-- dbt creates marts on its first run; creating it here lets the grants below
-- exist before then (dbt's CREATE SCHEMA IF NOT EXISTS keeps it).
CREATE SCHEMA IF NOT EXISTS marts;

COMMENT ON SCHEMA marts IS
    'Star schema built by dbt from raw; the only schema hybridbank_reader can read.';

-- PUBLIC may connect by default, but a DBA may have revoked that: say it
-- for the group explicitly. The database name is only known at run time.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO hybridbank_reader', current_database());
END
$$;

GRANT USAGE ON SCHEMA marts TO hybridbank_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA marts TO hybridbank_reader;

-- Tables dbt creates later. Default privileges belong to the role that
-- creates the objects, so they are set for the role running this migration,
-- which must be the role dbt runs as (both use DATABASE_URL). If dbt ever
-- runs as another role, repeat this statement with FOR ROLE that_role.
ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA marts
    GRANT SELECT ON TABLES TO hybridbank_reader;

-- Nothing on raw, said explicitly in case anything was granted by hand.
REVOKE ALL ON SCHEMA raw FROM hybridbank_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA raw FROM hybridbank_reader;

-- Members inherit PUBLIC's rights as well. PostgreSQL 15 and later no longer
-- give PUBLIC CREATE on schema public; older clusters do, which would let a
-- reader create tables there. Where PUBLIC still has it, take it away and
-- give it to the role running migrations, which keeps working as before
-- (PostgreSQL's recommended "secure schema usage pattern").
DO $$
BEGIN
    IF has_schema_privilege('public', 'public', 'CREATE') THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        EXECUTE format('GRANT CREATE ON SCHEMA public TO %I', current_user);
        RAISE NOTICE 'revoked CREATE on schema public from PUBLIC; granted it to %', current_user;
    END IF;
END
$$;
REVOKE CREATE ON SCHEMA public FROM hybridbank_reader;
