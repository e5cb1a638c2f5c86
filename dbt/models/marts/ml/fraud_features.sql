{#
    Incremental by account, like fct_transactions: an account whose fact rows carry a load_id
    this table has not seen gets all its features recomputed (each row's features look back over
    the account's earlier rows); the other accounts are left alone, so a build with nothing new
    costs next to nothing. A full reload empties the table first (no bloat).
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['bank_id', 'account_id'],
        on_schema_change='append_new_columns',
        pre_hook="{{ truncate_when_fully_replaced(ref('fct_transactions')) }}",
        indexes=[
            {'columns': ['bank_id', 'account_id']},
        ],
    )
}}

-- One row per transaction with features for fraud models, computed only from the account's
-- earlier transactions (no look-ahead), and the label.
with transactions as (

    select * from {{ ref('fct_transactions') }}
    {{ where_account_reloaded(ref('fct_transactions')) }}

),

features as (

    select
        transaction_id,
        account_key,
        bank_id,
        account_id,
        transacted_at,
        currency_code,
        amount,
        abs(amount)                                           as abs_amount,
        channel,
        merchant_key,
        transaction_type_key,
        -- local to the account: a 3 am purchase means 3 am where its owner lives
        extract(hour from transacted_at_local)                as hour_of_day,
        extract(isodow from transacted_at_local)              as iso_day_of_week,
        count(*) over account_before                          as prior_transaction_count,
        avg(abs(amount)) over account_before                  as prior_avg_abs_amount,
        stddev_samp(abs(amount)) over account_before          as prior_stddev_abs_amount,
        -- minus the transaction itself; EXCLUDE CURRENT ROW would give the same count but makes
        -- PostgreSQL recount every frame from scratch (minutes on a million rows)
        count(*) over account_last_hour - 1                   as transactions_prev_1h,
        count(*) over account_last_day - 1                    as transactions_prev_24h,
        transacted_at - lag(transacted_at) over account_order
                                                              as since_previous,
        row_number() over (
            partition by bank_id, account_id, merchant_key
            order by transacted_at, transaction_id
        )                                                     as merchant_visit_number,
        is_fraud,
        fraud_pattern,
        load_id
    from transactions
    window
        account_order as (
            partition by bank_id, account_id
            order by transacted_at, transaction_id
        ),
        account_before as (
            account_order rows between unbounded preceding and 1 preceding
        ),
        account_last_hour as (
            partition by bank_id, account_id
            order by transacted_at
            range between interval '1 hour' preceding and current row
        ),
        account_last_day as (
            partition by bank_id, account_id
            order by transacted_at
            range between interval '24 hours' preceding and current row
        )

)

select
    transaction_id::text                                            as transaction_id,
    account_key::text                                               as account_key,
    bank_id::text                                                   as bank_id,
    account_id::text                                                as account_id,
    transacted_at,
    currency_code::text                                             as currency_code,
    amount::numeric(18, 2)                                          as amount,
    abs_amount::numeric(18, 2)                                      as abs_amount,
    (amount < 0)                                                    as is_debit,
    channel::text                                                   as channel,
    merchant_key::text                                              as merchant_key,
    transaction_type_key::text                                      as transaction_type_key,
    hour_of_day::integer                                            as hour_of_day,
    iso_day_of_week::integer                                        as iso_day_of_week,
    (iso_day_of_week in (6, 7))                                     as is_weekend,
    prior_transaction_count::integer                                as prior_transaction_count,
    prior_avg_abs_amount::numeric(18, 2)                            as prior_avg_abs_amount,
    (abs_amount / nullif(prior_avg_abs_amount, 0))::double precision
                                                                    as amount_to_prior_avg_ratio,
    ((abs_amount - prior_avg_abs_amount) / nullif(prior_stddev_abs_amount, 0))::double precision
                                                                    as amount_zscore,
    transactions_prev_1h::integer                                   as transactions_prev_1h,
    transactions_prev_24h::integer                                  as transactions_prev_24h,
    extract(epoch from since_previous)::double precision            as seconds_since_previous,
    (merchant_key <> {{ unknown_key() }} and merchant_visit_number = 1)
                                                                    as is_first_at_merchant,
    is_fraud::boolean                                               as is_fraud,
    fraud_pattern::text                                             as fraud_pattern,
    load_id::uuid                                                   as load_id
from features
