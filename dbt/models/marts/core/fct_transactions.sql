{#
    Incremental by account, not by transaction: the loader REPLACES all transactions of every
    account it loads (new load_id, possibly other transaction_ids), so an account whose raw rows
    carry a load_id this table has not seen is rebuilt whole — delete+insert on (bank_id,
    account_id) removes its old transactions, including ones that no longer exist in raw.
    Accounts untouched by the new load are left as they are. An account whose transactions
    vanished from raw without any replacement keeps its rows until `--full-refresh`.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['bank_id', 'account_id'],
        on_schema_change='append_new_columns',
        indexes=[
            {'columns': ['bank_id', 'account_id']},
            {'columns': ['transaction_date_key']},
            {'columns': ['account_key']},
        ],
    )
}}

WITH transactions AS (

    SELECT * FROM {{ ref('stg_synthetic__transactions') }} AS transactions
    {% if is_incremental() %}
    WHERE (transactions.bank_id, transactions.account_id) IN (
        SELECT DISTINCT
            reloaded.bank_id,
            reloaded.account_id
        FROM {{ ref('stg_synthetic__transactions') }} AS reloaded
        WHERE reloaded.load_id NOT IN (SELECT DISTINCT load_id FROM {{ this }})
    )
    {% endif %}

),

accounts AS (

    SELECT * FROM {{ ref('dim_account') }}

),

transaction_types AS (

    SELECT * FROM {{ ref('dim_transaction_type') }}

)

SELECT
    transactions.transaction_id                                         AS transaction_id,
    to_char(transactions.transaction_day, 'YYYYMMDD')::integer          AS transaction_date_key,
    coalesce(accounts.account_key, {{ unknown_key() }})                 AS account_key,
    coalesce(accounts.bank_key, {{ unknown_key() }})                    AS bank_key,
    CASE
        WHEN transactions.merchant_name IS NULL
         AND transactions.merchant_category_code IS NULL
            THEN {{ unknown_key() }}
        ELSE {{ surrogate_key(['transactions.merchant_name', 'transactions.merchant_category_code']) }}
    END                                                                 AS merchant_key,
    transaction_types.transaction_type_key                              AS transaction_type_key,
    transactions.bank_id                                                AS bank_id,
    transactions.account_id                                             AS account_id,
    transactions.transacted_at                                          AS transacted_at,
    -- the account's own clock: hour-of-day and weekends are local to it
    (transactions.transacted_at AT TIME ZONE coalesce(accounts.timezone, 'UTC'))::timestamp
                                                                        AS transacted_at_local,
    transactions.channel                                                AS channel,
    transactions.description                                            AS description,
    transactions.counterparty_name                                      AS counterparty_name,
    transactions.currency_code                                          AS currency_code,
    transactions.amount                                                 AS amount,
    greatest(-transactions.amount, 0)::numeric(18, 2)                   AS debit_amount,
    greatest(transactions.amount, 0)::numeric(18, 2)                    AS credit_amount,
    transactions.balance_after                                          AS balance_after,
    transactions.is_fraud                                               AS is_fraud,
    transactions.fraud_pattern                                          AS fraud_pattern,
    transactions.data_source                                            AS data_source,
    transactions.load_id                                                AS load_id,
    transactions.generated_at                                           AS generated_at
FROM transactions
-- the version of the account that was valid when the transaction happened
LEFT JOIN accounts
    ON  accounts.bank_id = transactions.bank_id
    AND accounts.account_id = transactions.account_id
    AND transactions.transacted_at >= accounts.valid_from
    AND transactions.transacted_at < accounts.valid_to
INNER JOIN transaction_types
    ON transaction_types.transaction_type = transactions.transaction_type
