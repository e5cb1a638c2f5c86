{#
    Incremental by account, not by transaction: the loader REPLACES all transactions of every
    account it loads (new load_id, possibly other transaction_ids), so an account whose raw rows
    carry a load_id this table has not seen is rebuilt whole — delete+insert on (bank_id,
    account_id) removes its old transactions, including ones that no longer exist in raw.
    Accounts untouched by the new load are left as they are. When no row of this table is left
    in raw (a full reload), the table is emptied first rather than deleted from row by row, so a
    full reload leaves no table-sized bloat behind. An account whose transactions vanished from
    raw without any replacement keeps its rows until `--full-refresh` (or the next full reload).
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['bank_id', 'account_id'],
        on_schema_change='append_new_columns',
        pre_hook="{{ truncate_when_fully_replaced(ref('stg_synthetic__transactions')) }}",
        indexes=[
            {'columns': ['bank_id', 'account_id']},
            {'columns': ['transaction_date_key']},
            {'columns': ['transacted_at']},
            {'columns': ['account_key']},
            {'columns': ['bank_key']},
            {'columns': ['merchant_key']},
        ],
    )
}}

with transactions as (

    select * from {{ ref('stg_synthetic__transactions') }}
    {{ where_account_reloaded(ref('stg_synthetic__transactions')) }}

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
