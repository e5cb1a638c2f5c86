-- 0005_append_runs.sql
-- `load --append` (issue 15): a run either rewrites the history of the
-- accounts it loads ('full') or continues each account's history day by day
-- ('append'), leaving every earlier row as it was.
--
-- 1. raw.load_runs says which, and which days the run wrote rows for.
-- 2. raw.account_profiles keeps where each account's history stands (its
--    closing balance, the day it runs to, its payday, the day its appends
--    began), so an append continues from there without reading the
--    transactions back.

-- ---------------------------------------------------------------------------
-- 1. raw.load_runs: run mode and the days written.
-- ---------------------------------------------------------------------------

ALTER TABLE raw.load_runs
    ADD COLUMN load_mode  text NOT NULL DEFAULT 'full',
    ADD COLUMN days_from  date,
    ADD COLUMN days_to    date;

-- Runs before this migration were full loads: their window is in params.
UPDATE raw.load_runs
SET days_from = (params -> 'synth' ->> 'asOf')::date - (params -> 'synth' ->> 'days')::integer,
    days_to   = (params -> 'synth' ->> 'asOf')::date - 1
WHERE params -> 'synth' ->> 'asOf' ~ '^\d{4}-\d{2}-\d{2}$'
  AND params -> 'synth' ->> 'days' ~ '^\d+$';

ALTER TABLE raw.load_runs
    ADD CONSTRAINT load_runs_load_mode_check
        CHECK (load_mode IN ('full', 'append')),
    ADD CONSTRAINT load_runs_days_check
        CHECK (days_from <= days_to);

COMMENT ON COLUMN raw.load_runs.load_mode IS
    'full: the loaded accounts'' histories were regenerated; append: they were continued, earlier rows untouched.';
COMMENT ON COLUMN raw.load_runs.days_from IS
    'First day (UTC) the run wrote transactions for; null when it wrote none (an append with nothing new).';
COMMENT ON COLUMN raw.load_runs.days_to IS
    'Last day (UTC) the run wrote transactions for: the day before its as-of day.';

-- ---------------------------------------------------------------------------
-- 2. raw.account_profiles: where each history stands.
-- ---------------------------------------------------------------------------

ALTER TABLE raw.account_profiles
    ADD COLUMN closing_balance  numeric(18, 2),
    ADD COLUMN history_end      date,
    ADD COLUMN payday           smallint,
    ADD COLUMN appends_from     date;

-- Profiles written before this migration: their last row's balance and
-- their run's as-of day. One pass over raw.transactions, once.
UPDATE raw.account_profiles AS p
SET closing_balance = last_row.balance_after,
    history_end     = (r.params -> 'synth' ->> 'asOf')::date,
    appends_from    = (r.params -> 'synth' ->> 'asOf')::date
FROM (
    SELECT DISTINCT ON (bank_id, account_id)
        bank_id,
        account_id,
        balance_after
    FROM raw.transactions
    ORDER BY bank_id, account_id, transaction_date DESC, transaction_id DESC
) AS last_row,
raw.load_runs AS r
WHERE last_row.bank_id = p.bank_id
  AND last_row.account_id = p.account_id
  AND r.load_id = p.load_id
  AND r.params -> 'synth' ->> 'asOf' ~ '^\d{4}-\d{2}-\d{2}$';

ALTER TABLE raw.account_profiles
    ADD CONSTRAINT account_profiles_payday_check
        CHECK (payday BETWEEN 1 AND 28);

COMMENT ON COLUMN raw.account_profiles.closing_balance IS
    'balance_after of the account''s last transaction: where an append continues the ledger.';
COMMENT ON COLUMN raw.account_profiles.history_end IS
    'The as-of day of the account''s history: its transactions end when this day (UTC) begins.';
COMMENT ON COLUMN raw.account_profiles.appends_from IS
    'The day appends to the account began (the end of its last full history): refunds in appended days refer to purchases from there on.';
COMMENT ON COLUMN raw.account_profiles.payday IS
    'Day of the month the salary is due (moved back to Friday over weekends); null without a salary or when written before 0005.';
