-- 0006_citus_and_shards.sql
-- Sharded loads everywhere, and the raw layer distributed when the
-- warehouse is a Citus cluster.
--
-- 1. raw.load_runs records the shard a run loaded (`npm run load -- --shard
--    I/N`: the accounts whose shard is I of N) and the run group its
--    shard-runs share. On every database.
-- 2. raw.citus_distribute(): when the citus extension is present, makes
--    raw.load_runs, raw.banks, raw.accounts and raw.account_profiles
--    reference tables (a copy on every node: small, joined by everything)
--    and hash-distributes raw.transactions by account_id. Without citus it
--    does nothing: single-node PostgreSQL is unchanged. It is idempotent;
--    `npm run migrate` (and every load, which migrates first) calls it
--    again, so a database that gets `CREATE EXTENSION citus` after this
--    migration is distributed by the next migrate.

-- ---------------------------------------------------------------------------
-- 1. raw.load_runs: shard and run group.
-- ---------------------------------------------------------------------------

ALTER TABLE raw.load_runs
    ADD COLUMN shard_index  integer,
    ADD COLUMN shard_count  integer,
    ADD COLUMN run_group    text,
    ADD CONSTRAINT load_runs_shard_check
        CHECK ((shard_index IS NULL) = (shard_count IS NULL)
               AND (shard_count IS NULL OR shard_index BETWEEN 1 AND shard_count));

COMMENT ON COLUMN raw.load_runs.shard_index IS
    'The shard this run loaded (1..shard_count): the accounts whose shard (hash of bank_id and account_id) is this one; NULL for a run of every account.';
COMMENT ON COLUMN raw.load_runs.shard_count IS
    'How many shards the accounts were split into (--shard I/N); NULL for a run of every account.';
COMMENT ON COLUMN raw.load_runs.run_group IS
    'The job a shard-run belongs to: --run-group, or derived from the generation flags and the shard count, so the N shard-runs of one job share it.';

-- ---------------------------------------------------------------------------
-- 2. Citus: the raw layer distributed by account.
-- ---------------------------------------------------------------------------
--
-- Citus requires every unique key of a distributed table to include its
-- distribution column, so raw.transactions' primary key becomes
-- (account_id, transaction_id). transaction_id stays unique across the
-- table: the generator writes it as 'synth_' || bank_id || '_' || account_id
-- || '_' || <suffix>, the suffix being <digits> (a full load) or
-- <YYYY-MM-DD>_<digits> (an append); transactions_id_lineage_check enforces
-- that shape on every row. Neither suffix can be mistaken for another unless
-- one account's bank_id || '_' || account_id is another's plus trailing
-- '_<YYYY-MM-DD>' groups; raw.accounts keeps that prefix, without such
-- trailing groups, unique (accounts_transaction_prefix_key). So two equal
-- ids belong to the same account, which the primary key allows once per id.

CREATE FUNCTION raw.citus_distribute() RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    fk record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'raw.transactions'::regclass) THEN
        RETURN false;
    END IF;

    -- Rows already there are copied to the shards, and foreign keys to
    -- reference tables are added after: Citus wants one connection per node
    -- for that in one transaction.
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);

    CREATE UNIQUE INDEX accounts_transaction_prefix_key
        ON raw.accounts ((regexp_replace(bank_id || '_' || account_id, '(_[0-9]{4}-[0-9]{2}-[0-9]{2})+$', '')));

    ALTER TABLE raw.transactions
        DROP CONSTRAINT transactions_pkey,
        ADD CONSTRAINT transactions_pkey
            PRIMARY KEY (account_id, transaction_id),
        ADD CONSTRAINT transactions_id_lineage_check
            CHECK (starts_with(transaction_id, 'synth_' || bank_id || '_' || account_id || '_')
                   AND substr(transaction_id, length('synth_' || bank_id || '_' || account_id || '_') + 1) ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2}_)?[0-9]+$');

    -- Citus converts every table a foreign key links to a reference table
    -- as it goes; the raw layer's foreign keys are set aside while its tables
    -- are distributed, and put back (checked again) once all are.
    CREATE TEMPORARY TABLE raw_foreign_keys ON COMMIT DROP AS
    SELECT conrelid::regclass::text AS table_name,
           conname                  AS name,
           pg_get_constraintdef(oid) AS definition
    FROM pg_constraint
    WHERE contype = 'f'
      AND connamespace = 'raw'::regnamespace
      AND conparentid = 0;
    FOR fk IN SELECT * FROM raw_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.table_name, fk.name);
    END LOOP;

    PERFORM create_reference_table('raw.load_runs');
    PERFORM create_reference_table('raw.banks');
    PERFORM create_reference_table('raw.accounts');
    PERFORM create_reference_table('raw.account_profiles');
    PERFORM create_distributed_table('raw.transactions', 'account_id');

    FOR fk IN SELECT * FROM raw_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.table_name, fk.name, fk.definition);
    END LOOP;
    RETURN true;
END
$$;

COMMENT ON FUNCTION raw.citus_distribute() IS
    'On a Citus coordinator: reference tables for load_runs, banks, accounts, account_profiles; raw.transactions distributed by account_id. Returns whether it changed anything; a no-op without citus or once done.';

SELECT raw.citus_distribute();
