-- 0007_mcc_check_without_regex.sql
-- The merchant category check, the same rule without a regular expression.
--
-- Every row COPY writes is checked against every CHECK constraint, and
-- `merchant_category ~ '^[0-9]{4}$'` ran the regex engine on each: about a
-- tenth of the server's work in a load's COPY (perf, 2M rows). Four bytes,
-- each one of 0-9, is the same set of values (a digit is one byte in every
-- server encoding; NULL passes both), checked with two cheap functions.

-- Two statements: Citus runs ADD CONSTRAINT on a distributed table only alone.
-- Both commit together, with the migration.

ALTER TABLE raw.transactions
    DROP CONSTRAINT transactions_mcc_check;

ALTER TABLE raw.transactions
    ADD CONSTRAINT transactions_mcc_check
        CHECK (octet_length(merchant_category) = 4
               AND ltrim(merchant_category, '0123456789') = '');
