{#
    Incremental per account and load (macros/incremental.sql): rows of a load_id the table has
    not seen for their account are inserted, so after `load --append` only the appended rows are
    processed and earlier rows stay as they are. An account whose history the loader replaced (a
    full load: none of its load_ids here is left in raw) is deleted and inserted whole, which also
    removes transactions that vanished with the reload. When no account keeps its rows (a full
    reload), the table is emptied rather than deleted from row by row (no table-sized bloat), and
    its keys and indexes are built after the insert rather than maintained row by row.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ prepare_incremental_by_account(ref('stg_synthetic__transactions'), source_indexed=false) }}",
        post_hook="{{ rebuild_dropped_indexes() }}",
        indexes=[
            {'columns': ['bank_id', 'account_id', 'load_id']},
            {'columns': ['transaction_date_key']},
            {'columns': ['transacted_at']},
            {'columns': ['account_key']},
            {'columns': ['bank_key']},
            {'columns': ['merchant_key']},
            {'columns': ['transaction_type_key']},
        ],
    )
}}

with transactions as (

    select * from {{ ref('stg_synthetic__transactions') }}
    {{ where_load_unseen(ref('stg_synthetic__transactions'), source_indexed=false) }}

),

accounts as (

    select * from {{ ref('dim_account') }}

),

transaction_types as (

    select * from {{ ref('dim_transaction_type') }}

)

select
    transactions.transaction_id,
    {{ date_key('transactions.transaction_day') }}                      as transaction_date_key,
    {{ key_or_unknown('accounts.account_key') }}                        as account_key,
    {{ key_or_unknown('accounts.bank_key') }}                           as bank_key,
    case
        when transactions.merchant_name is null
            and transactions.merchant_category_code is null
            then {{ unknown_key() }}
        else {{ surrogate_key(['transactions.merchant_name', 'transactions.merchant_category_code']) }}
    end                                                                 as merchant_key,
    transaction_types.transaction_type_key,
    transactions.bank_id,
    transactions.account_id,
    transactions.transacted_at,
    -- the account's own clock: hour-of-day and weekends are local to it
    (transactions.transacted_at at time zone coalesce(accounts.timezone, 'UTC'))::timestamp
                                                                        as transacted_at_local,
    transactions.channel,
    transactions.description,
    transactions.counterparty_name,
    transactions.currency_code,
    transactions.amount,
    greatest(-transactions.amount, 0)::numeric(18, 2)                   as debit_amount,
    greatest(transactions.amount, 0)::numeric(18, 2)                    as credit_amount,
    transactions.balance_after,
    {{ is_cash_withdrawal('transactions.merchant_category_code') }}     as is_cash_withdrawal,
    transactions.is_fraud,
    transactions.fraud_pattern,
    transactions.data_source,
    transactions.load_id,
    transactions.generated_at
from transactions
-- the version of the account that was valid when the transaction happened
left join accounts
    on transactions.bank_id = accounts.bank_id
    and transactions.account_id = accounts.account_id
    and transactions.transacted_at >= accounts.valid_from
    and transactions.transacted_at < accounts.valid_to
inner join transaction_types
    on transactions.transaction_type = transaction_types.transaction_type
