-- One row per account and UTC day on which the account has transactions: flows of the day and
-- the ledger balance before the first and after the last transaction of the day.
with transactions as (

    select * from {{ ref('stg_synthetic__transactions') }}

),

daily as (

    select
        bank_id,
        account_id,
        transaction_day                                                    as activity_day,
        currency_code,
        -- the ledger order within a day: time, then id for transactions at the same instant
        (array_agg(balance_after - amount
                   order by transacted_at, transaction_id))[1]             as opening_balance,
        (array_agg(balance_after
                   order by transacted_at desc, transaction_id desc))[1]   as closing_balance,
        coalesce(sum(amount) filter (where amount > 0), 0)                 as inflow_amount,
        coalesce(-sum(amount) filter (where amount < 0), 0)                as outflow_amount,
        count(*)                                                           as transaction_count
    from transactions
    group by
        bank_id,
        account_id,
        transaction_day,
        currency_code

)

select * from daily
