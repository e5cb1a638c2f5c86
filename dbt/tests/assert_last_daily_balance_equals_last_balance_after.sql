-- The closing balance of each account on the last day of the window equals the balance_after
-- of its last transaction (by time, then transaction_id).
with last_transaction as (

    select distinct on (bank_id, account_id)
        bank_id,
        account_id,
        balance_after
    from {{ ref('stg_synthetic__transactions') }}
    order by
        bank_id asc,
        account_id asc,
        transacted_at desc,
        transaction_id desc

),

last_day as (

    select distinct on (bank_id, account_id)
        bank_id,
        account_id,
        balance_date,
        closing_balance
    from {{ ref('fct_account_daily_balances') }}
    order by
        bank_id asc,
        account_id asc,
        balance_date desc

)

select
    last_transaction.bank_id,
    last_transaction.account_id,
    last_transaction.balance_after,
    last_day.balance_date,
    last_day.closing_balance
from last_transaction
left join last_day
    on  last_transaction.bank_id = last_day.bank_id
    and last_transaction.account_id = last_day.account_id
where last_day.closing_balance is distinct from last_transaction.balance_after
