-- 0001_raw_schema.sql
-- The raw layer: source-faithful tables, every row carrying its lineage
-- (data_source, extracted_at / generated_at, load_id). dbt and users rely on
-- these names; later changes go in new migrations, never in this file.

CREATE SCHEMA IF NOT EXISTS raw;

COMMENT ON SCHEMA raw IS
    'Source-faithful layer written by the hybridbank loader: OBP banks and accounts, synthetic transactions, load audit.';

-- One row per load run: what was asked for, what happened, how long it took.
CREATE TABLE raw.load_runs (
    load_id             uuid        PRIMARY KEY,
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    status              text        NOT NULL DEFAULT 'running',
    params              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    obp_source          text,
    obp_base_url        text,
    banks_count         integer,
    accounts_count      integer,
    transactions_count  bigint,
    step_timings        jsonb,
    error               text,
    tool_version        text        NOT NULL,

    CONSTRAINT load_runs_status_check
        CHECK (status IN ('running', 'succeeded', 'failed')),
    CONSTRAINT load_runs_obp_source_check
        CHECK (obp_source IN ('live', 'snapshot')),
    CONSTRAINT load_runs_finished_check
        CHECK ((status = 'running') = (finished_at IS NULL))
);

COMMENT ON TABLE raw.load_runs IS 'Audit of every load: parameters to reproduce it, status, timings and row counts.';

-- Banks exactly as OBP listed them.
CREATE TABLE raw.banks (
    bank_id       text        PRIMARY KEY,
    bank_name     text,
    short_name    text,
    website       text,
    logo_url      text,
    payload       jsonb       NOT NULL,
    data_source   text        NOT NULL,
    extracted_at  timestamptz NOT NULL,
    load_id       uuid        NOT NULL REFERENCES raw.load_runs (load_id),

    CONSTRAINT banks_data_source_check
        CHECK (data_source IN ('REAL_API', 'OBP_SNAPSHOT'))
);

COMMENT ON TABLE raw.banks IS 'Real banks from the Open Bank Project API (live) or a recorded OBP snapshot.';
COMMENT ON COLUMN raw.banks.payload IS 'The bank object exactly as the API returned it.';

-- Accounts the OBP user can see, with their real balance at extraction time.
CREATE TABLE raw.accounts (
    bank_id         text          NOT NULL REFERENCES raw.banks (bank_id),
    account_id      text          NOT NULL,
    account_label   text,
    account_type    text,
    account_number  text,
    iban            text,
    currency        char(3),
    balance         numeric(18, 2),
    payload         jsonb         NOT NULL,
    data_source     text          NOT NULL,
    extracted_at    timestamptz   NOT NULL,
    load_id         uuid          NOT NULL REFERENCES raw.load_runs (load_id),

    PRIMARY KEY (bank_id, account_id),
    CONSTRAINT accounts_data_source_check
        CHECK (data_source IN ('REAL_API', 'OBP_SNAPSHOT'))
);

COMMENT ON TABLE raw.accounts IS 'Real accounts from the Open Bank Project API (live) or a recorded OBP snapshot.';
COMMENT ON COLUMN raw.accounts.payload IS 'The account object(s) exactly as the API returned them.';

-- Synthetic transactions generated for the real accounts above.
-- The loader drops and re-adds the primary and foreign keys inside its own
-- transaction to bulk-validate them after COPY; their names are part of that.
-- transaction_id is an opaque id: byte-order collation ("C") makes its key build
-- several times faster than a locale's, and locale order means nothing for it.
CREATE TABLE raw.transactions (
    transaction_id     text COLLATE "C" NOT NULL,
    bank_id            text           NOT NULL,
    account_id         text           NOT NULL,
    amount             numeric(18, 2) NOT NULL,
    currency           char(3)        NOT NULL,
    transaction_type   text           NOT NULL,
    description        text           NOT NULL,
    merchant           text,
    merchant_category  text,
    counterparty       text,
    channel            text           NOT NULL,
    transaction_date   timestamptz    NOT NULL,
    is_weekend         boolean        NOT NULL,
    balance_after      numeric(18, 2) NOT NULL,
    is_fraud           boolean        NOT NULL DEFAULT false,
    fraud_pattern      text,
    data_source        text           NOT NULL,
    generated_at       timestamptz    NOT NULL,
    load_id            uuid           NOT NULL,

    CONSTRAINT transactions_pkey
        PRIMARY KEY (transaction_id),
    CONSTRAINT transactions_account_fkey
        FOREIGN KEY (bank_id, account_id) REFERENCES raw.accounts (bank_id, account_id),
    CONSTRAINT transactions_load_fkey
        FOREIGN KEY (load_id) REFERENCES raw.load_runs (load_id),
    CONSTRAINT transactions_data_source_check
        CHECK (data_source = 'SYNTHETIC'),
    CONSTRAINT transactions_channel_check
        CHECK (channel IN ('POS', 'ATM', 'ONLINE', 'TRANSFER', 'BRANCH')),
    CONSTRAINT transactions_mcc_check
        CHECK (merchant_category ~ '^[0-9]{4}$'),
    CONSTRAINT transactions_fraud_label_check
        CHECK (is_fraud = (fraud_pattern IS NOT NULL))
);

COMMENT ON TABLE raw.transactions IS 'Synthetic transactions for the real accounts; labelled fraud in is_fraud / fraud_pattern.';
COMMENT ON COLUMN raw.transactions.amount IS 'Signed: debits negative, credits positive.';
COMMENT ON COLUMN raw.transactions.merchant_category IS 'ISO 18245 merchant category code (MCC).';
COMMENT ON COLUMN raw.transactions.balance_after IS 'Account balance after this transaction (running ledger).';
