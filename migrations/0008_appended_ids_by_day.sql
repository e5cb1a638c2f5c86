-- 0008_appended_ids_by_day.sql
-- Appended days' transaction ids start with the day.
--
-- From this version an append writes its rows as
-- 'synth~' || <YYYY-MM-DD> || '_' || bank_id || '_' || account_id || '_' || <digits>
-- ('~' sorts after '_' in the column's C collation: every appended id sorts
-- after every initial history's, in order of days). On one PostgreSQL the
-- loader keeps them in partitions of raw.transactions of their own, one per
-- month (src/load/append-partitions.ts), so an append fills fresh pages
-- instead of a page of the initial histories' primary key per account. Rows
-- written before keep their ids ('synth_…_<YYYY-MM-DD>_<digits>').
--
-- Nothing changes here on one PostgreSQL. On Citus the lineage CHECK of
-- raw.transactions (0006) takes the new shape too, on a cluster distributed
-- already and on one distributed later (raw.citus_distribute() calls the
-- function below once it has distributed the tables).
--
-- The ids stay unique across the table: an appended id ends in '_' <digits>,
-- so its last '_' splits it into the day, bank_id || '_' || account_id and
-- the number; two accounts give the same id only with the same
-- bank_id || '_' || account_id, which accounts_transaction_prefix_key allows
-- once.

CREATE FUNCTION raw.citus_transactions_id_check() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    -- two tests: pg_dist_partition exists only with citus
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'raw.transactions'::regclass) THEN
        RETURN;
    END IF;
    -- two statements: Citus runs ADD CONSTRAINT on a distributed table only alone
    ALTER TABLE raw.transactions
        DROP CONSTRAINT IF EXISTS transactions_id_lineage_check;
    ALTER TABLE raw.transactions
        ADD CONSTRAINT transactions_id_lineage_check
            CHECK (CASE
                       WHEN starts_with(transaction_id, 'synth~') THEN
                           substr(transaction_id, 7, 11) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}_$'
                           AND starts_with(substr(transaction_id, 18), bank_id || '_' || account_id || '_')
                           AND substr(transaction_id, 18 + length(bank_id || '_' || account_id || '_')) ~ '^[0-9]+$'
                       ELSE
                           starts_with(transaction_id, 'synth_' || bank_id || '_' || account_id || '_')
                           AND substr(transaction_id, length('synth_' || bank_id || '_' || account_id || '_') + 1) ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2}_)?[0-9]+$'
                   END);
END
$$;

COMMENT ON FUNCTION raw.citus_transactions_id_check() IS
    'On Citus, once raw.transactions is distributed: its lineage CHECK for initial ids (synth_<bank>_<account>_<digits>, appends before 0008: _<YYYY-MM-DD>_<digits>) and appended ones (synth~<YYYY-MM-DD>_<bank>_<account>_<digits>). A no-op otherwise.';

-- 0006's function distributes the tables with the CHECK as it was; this one
-- then puts the new one in its place.
ALTER FUNCTION raw.citus_distribute() RENAME TO citus_distribute_0006;

CREATE FUNCTION raw.citus_distribute() RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    changed boolean := raw.citus_distribute_0006();
BEGIN
    IF changed THEN
        PERFORM raw.citus_transactions_id_check();
    END IF;
    RETURN changed;
END
$$;

COMMENT ON FUNCTION raw.citus_distribute() IS
    'On a Citus coordinator: reference tables for load_runs, banks, accounts, account_profiles; raw.transactions distributed by account_id, with the lineage CHECK of 0008. Returns whether it changed anything; a no-op without citus or once done.';

SELECT raw.citus_transactions_id_check();
