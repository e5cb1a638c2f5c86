-- 0003_safe_loads.sql
-- Loads that never hurt a reader, and a raw layer that keeps its history.
--
-- 1. raw.transactions becomes a partitioned table with exactly one partition,
--    ranging over every transaction_id. A load builds the whole next state
--    of the table in a fresh table of its own (COPY, then keys built in bulk,
--    foreign keys validated in one join), and switches it in at the very end
--    with DETACH / ATTACH PARTITION: readers keep reading the previous
--    committed rows during the whole load, and wait at most one
--    lock_timeout (about a second) while the switch takes its short lock.
--    Range partitioning on transaction_id lets the primary key stay on
--    transaction_id alone, as in 0001. The parent keeps its OID, so views
--    built on it (dbt staging) survive every switch.
-- 2. Banks and accounts that OBP stops listing are kept, marked inactive,
--    with when and in which run they were last seen.
-- 3. raw.load_runs records what was set aside (bad OBP records) and which
--    server session runs the load, so a later load can tell a dead run from
--    one still running.

-- ---------------------------------------------------------------------------
-- 1. raw.transactions: partitioned, one partition at a time.
-- ---------------------------------------------------------------------------

-- Views reading raw.transactions (dbt's staging) follow its OID; the rename
-- below would leave them on the old table. Keep their definitions to
-- re-point them at the new parent.
CREATE TEMPORARY TABLE dependent_views ON COMMIT DROP AS
SELECT DISTINCT
    v.oid::regclass::text  AS view_name,
    pg_get_viewdef(v.oid)  AS definition
FROM pg_depend AS d
INNER JOIN pg_rewrite AS r ON r.oid = d.objid
INNER JOIN pg_class AS v ON v.oid = r.ev_class
WHERE d.classid = 'pg_rewrite'::regclass
  AND d.refobjid = 'raw.transactions'::regclass
  AND v.relkind = 'v';

ALTER TABLE raw.transactions RENAME TO transactions_0001;
ALTER INDEX raw.transactions_pkey RENAME TO transactions_0001_pkey;

-- Same columns, collation, defaults, NOT NULLs, CHECKs (by name), primary
-- key and comments as 0001 defined; foreign keys are not copied by LIKE.
CREATE TABLE raw.transactions (
    LIKE raw.transactions_0001 INCLUDING ALL
) PARTITION BY RANGE (transaction_id);

ALTER TABLE raw.transactions
    ADD CONSTRAINT transactions_account_fkey
        FOREIGN KEY (bank_id, account_id) REFERENCES raw.accounts (bank_id, account_id),
    ADD CONSTRAINT transactions_load_fkey
        FOREIGN KEY (load_id) REFERENCES raw.load_runs (load_id);

COMMENT ON TABLE raw.transactions IS
    'Synthetic transactions for the real accounts; labelled fraud in is_fraud / fraud_pattern. '
    'One partition holds every row; each load builds the next one and switches it in.';

DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT view_name, definition FROM dependent_views LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %s AS %s', v.view_name, v.definition);
    END LOOP;
END
$$;

-- Each load's table lives in raw_loads, out of the way of people browsing
-- raw: only the one attached as raw.transactions' partition is there for
-- long. Nobody but the loader has any right on it.
CREATE SCHEMA raw_loads;

COMMENT ON SCHEMA raw_loads IS
    'The partition of raw.transactions (one table per load, switched in by the loader); read raw.transactions instead.';

ALTER TABLE raw.transactions_0001 SET SCHEMA raw_loads;

-- The existing rows (maybe none) become the first partition: no scan, NOT
-- NULL on transaction_id already implies the bound, its keys and checks
-- match. There is always a partition, so raw.transactions takes rows
-- written by hand as before.
ALTER TABLE raw.transactions
    ATTACH PARTITION raw_loads.transactions_0001 FOR VALUES FROM (MINVALUE) TO (MAXVALUE);

-- ---------------------------------------------------------------------------
-- 2. Vanished banks and accounts: marked, never deleted.
-- ---------------------------------------------------------------------------

ALTER TABLE raw.banks
    ADD COLUMN is_active          boolean     NOT NULL DEFAULT true,
    ADD COLUMN last_seen_at       timestamptz,
    ADD COLUMN last_seen_load_id  uuid        REFERENCES raw.load_runs (load_id);

ALTER TABLE raw.accounts
    ADD COLUMN is_active          boolean     NOT NULL DEFAULT true,
    ADD COLUMN last_seen_at       timestamptz,
    ADD COLUMN last_seen_load_id  uuid        REFERENCES raw.load_runs (load_id);

-- Every row so far was seen by the load that wrote it. (Nullable: rows written
-- by hand, not by a load, have not been "seen" by one.)
UPDATE raw.banks SET last_seen_at = extracted_at, last_seen_load_id = load_id;
UPDATE raw.accounts SET last_seen_at = extracted_at, last_seen_load_id = load_id;

COMMENT ON COLUMN raw.banks.is_active IS
    'False once OBP''s bank list no longer has the bank (or its endpoints answer 404); the row and its history stay.';
COMMENT ON COLUMN raw.banks.last_seen_at IS 'When OBP last listed the bank.';
COMMENT ON COLUMN raw.banks.last_seen_load_id IS 'The load that last saw the bank at OBP.';
COMMENT ON COLUMN raw.accounts.is_active IS
    'False once a load extracted the account''s bank and OBP no longer listed the account, or the bank went inactive.';
COMMENT ON COLUMN raw.accounts.last_seen_at IS 'When OBP last listed the account.';
COMMENT ON COLUMN raw.accounts.last_seen_load_id IS 'The load that last saw the account at OBP.';

-- ---------------------------------------------------------------------------
-- 3. raw.load_runs: records set aside, and the session running the load.
-- ---------------------------------------------------------------------------

ALTER TABLE raw.load_runs
    ADD COLUMN set_aside       jsonb       NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN backend_pid     integer,
    ADD COLUMN backend_start   timestamptz;

COMMENT ON COLUMN raw.load_runs.set_aside IS
    'OBP records the run set aside instead of loading: [{kind, bankId, accountId, reason}].';
COMMENT ON COLUMN raw.load_runs.backend_pid IS
    'pid and start of the server session that ran the load: a run left running whose session is gone died.';

-- ---------------------------------------------------------------------------
-- 4. Readers confined to their database.
-- ---------------------------------------------------------------------------
-- 0002's hybridbank_reader is one role for the whole cluster, granted by
-- every hybridbank database: a reader made for one read the marts of all.
-- From here on each database has a reader group of its own, named after the
-- database (raw.reader_group_name(): sanitised name + a hash of the exact
-- name, so two databases never share one), granted CONNECT and the marts
-- here only. The cluster-wide group loses its rights in this database;
-- readers made before this migration are re-attached to the database they
-- should read with `npm run warehouse -- --create-reader NAME` there.

CREATE FUNCTION raw.reader_group_name() RETURNS name
LANGUAGE sql STABLE
AS $$
    SELECT format(
        'hybridbank_reader_%s_%s',
        left(regexp_replace(lower(current_database()), '[^a-z0-9_]', '_', 'g'), 28),
        left(md5(current_database()), 8)
    )::name
$$;

COMMENT ON FUNCTION raw.reader_group_name() IS
    'The read-only group of this database: CONNECT here, USAGE on marts and SELECT on its tables, nothing else.';

DO $$
DECLARE
    grp name := raw.reader_group_name();
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grp) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', grp);
        EXECUTE format(
            'COMMENT ON ROLE %I IS %L', grp,
            format('hybridbank read-only group of database %s: SELECT on schema marts there, nothing else.', current_database())
        );
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), grp);
    EXECUTE format('GRANT USAGE ON SCHEMA marts TO %I', grp);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA marts TO %I', grp);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA marts GRANT SELECT ON TABLES TO %I', grp);
    EXECUTE format('REVOKE ALL ON SCHEMA raw FROM %I', grp);

    -- PUBLIC may connect to any database by default, a reader of another
    -- database included. Only the roles that need this one keep CONNECT:
    -- the role running migrations (and dbt), its reader group, superusers.
    -- Grant CONNECT to any other role that needs this database.
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), current_user);

    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hybridbank_reader') THEN
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM hybridbank_reader', current_database());
        REVOKE USAGE ON SCHEMA marts FROM hybridbank_reader;
        REVOKE SELECT ON ALL TABLES IN SCHEMA marts FROM hybridbank_reader;
        ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA marts REVOKE SELECT ON TABLES FROM hybridbank_reader;
    END IF;
END
$$;
