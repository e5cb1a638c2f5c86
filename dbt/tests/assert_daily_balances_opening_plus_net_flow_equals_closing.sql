-- Per account over the whole window: the opening balance of its first day plus all net flows
-- must equal the closing balance of its last day. Returns the accounts where it does not.
with balances as (

    select * from {{ ref('fct_account_daily_balances') }}

),

per_account as (

    select
        bank_id,
        account_id,
        (array_agg(opening_balance order by balance_date))[1]         as first_opening_balance,
        sum(net_flow_amount)                                           as total_net_flow,
        (array_agg(closing_balance order by balance_date desc))[1]    as last_closing_balance
    from balances
    group by
        bank_id,
        account_id

)

select *
from per_account
where first_opening_balance + total_net_flow <> last_closing_balance
