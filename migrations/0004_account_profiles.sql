-- 0004_account_profiles.sql
-- What the generator decided about each loaded account: the persona behind
-- its synthetic history, where it lives (country, time zone: hour-of-day and
-- weekends are local to it), its overdraft or credit limit and how active it
-- is. One row per account, replaced by every load that generates for it, so
-- analysts can slice transactions by persona and check the data against it.

CREATE TABLE raw.account_profiles (
    bank_id              text           NOT NULL,
    account_id           text           NOT NULL,
    persona              text           NOT NULL,
    account_kind         text           NOT NULL,
    country              char(2)        NOT NULL,
    timezone             text           NOT NULL,
    currency             char(3)        NOT NULL,
    overdraft_limit      numeric(18, 2) NOT NULL,
    opening_balance      numeric(18, 2) NOT NULL,
    monthly_income       numeric(18, 2) NOT NULL,
    activity_rate        numeric(8, 3)  NOT NULL,
    transactions_count   integer        NOT NULL,
    data_source          text           NOT NULL,
    generated_at         timestamptz    NOT NULL,
    load_id              uuid           NOT NULL,

    CONSTRAINT account_profiles_pkey
        PRIMARY KEY (bank_id, account_id),
    CONSTRAINT account_profiles_account_fkey
        FOREIGN KEY (bank_id, account_id) REFERENCES raw.accounts (bank_id, account_id),
    CONSTRAINT account_profiles_load_fkey
        FOREIGN KEY (load_id) REFERENCES raw.load_runs (load_id),
    CONSTRAINT account_profiles_data_source_check
        CHECK (data_source = 'SYNTHETIC'),
    CONSTRAINT account_profiles_limit_check
        CHECK (overdraft_limit >= 0),
    CONSTRAINT account_profiles_activity_check
        CHECK (activity_rate >= 0 AND transactions_count >= 0)
);

COMMENT ON TABLE raw.account_profiles IS
    'The synthetic persona of each loaded account (generator decisions), one row per account, from the load that last generated it.';
COMMENT ON COLUMN raw.account_profiles.account_kind IS
    'The generation profile''s account type that OBP''s account_type matched: current, savings, credit_card, business, ...';
COMMENT ON COLUMN raw.account_profiles.timezone IS
    'IANA time zone the account lives in: hour-of-day and is_weekend of its transactions are local to it.';
COMMENT ON COLUMN raw.account_profiles.overdraft_limit IS
    'Arranged overdraft (a credit card''s credit limit) that the history never goes below.';
COMMENT ON COLUMN raw.account_profiles.activity_rate IS
    'The account''s own transactions a day: what --transactions-per-account auto books over the window.';
