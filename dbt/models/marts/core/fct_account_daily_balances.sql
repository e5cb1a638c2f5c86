{{
    config(
        indexes=[
            {'columns': ['date_key']},
            {'columns': ['account_key']},
        ],
    )
}}

-- Periodic snapshot: one row per account and UTC day, from the account's first transaction to
-- the last day with any transaction in the warehouse. Days without transactions carry the
-- previous closing balance forward.
with activity as (

    select * from {{ ref('int_account_daily_activity') }}

),

accounts as (

    select * from {{ ref('dim_account') }}

),

account_windows as (

    select
        bank_id,
        account_id,
        min(activity_day) as first_day,
        -- an account has one currency (tests/assert_one_currency_per_account.sql)
        min(currency_code) as currency_code
    from activity
    group by
        bank_id,
        account_id

),

window_end as (

    select max(activity_day) as last_day from activity

),

spine as (

    select
        account_windows.bank_id,
        account_windows.account_id,
        account_windows.currency_code,
        series_day::date as balance_date
    from account_windows
    cross join window_end
    cross join lateral generate_series(account_windows.first_day, window_end.last_day, interval '1 day') as series_day

),

days as (

    select
        spine.bank_id,
        spine.account_id,
        spine.currency_code,
        spine.balance_date,
        activity.opening_balance                            as day_opening_balance,
        activity.closing_balance                            as day_closing_balance,
        coalesce(activity.inflow_amount, 0)                 as inflow_amount,
        coalesce(activity.outflow_amount, 0)                as outflow_amount,
        coalesce(activity.transaction_count, 0)             as transaction_count,
        -- a new group starts at every day with transactions; quiet days join the group before
        count(activity.closing_balance) over (
            partition by spine.bank_id, spine.account_id
            order by spine.balance_date
        )                                                   as balance_group
    from spine
    left join activity
        on  spine.bank_id = activity.bank_id
        and spine.account_id = activity.account_id
        and spine.balance_date = activity.activity_day

),

carried as (

    select
        *,
        first_value(day_closing_balance) over (
            partition by bank_id, account_id, balance_group
            order by balance_date
        )                                                   as closing_balance
    from days

)

select
    {{ surrogate_key(['carried.bank_id', 'carried.account_id', 'carried.balance_date']) }}
                                                            as account_daily_balance_key,
    {{ key_or_unknown('accounts.account_key') }}            as account_key,
    {{ key_or_unknown('accounts.bank_key') }}               as bank_key,
    {{ date_key('carried.balance_date') }}                  as date_key,
    carried.bank_id::text                                   as bank_id,
    carried.account_id::text                                as account_id,
    carried.balance_date,
    carried.currency_code::text                             as currency_code,
    -- on a quiet day the balance neither moves nor starts elsewhere than it ends
    coalesce(carried.day_opening_balance, carried.closing_balance)::numeric(18, 2)
                                                            as opening_balance,
    carried.inflow_amount::numeric(18, 2)                   as inflow_amount,
    carried.outflow_amount::numeric(18, 2)                  as outflow_amount,
    (carried.inflow_amount - carried.outflow_amount)::numeric(18, 2)
                                                            as net_flow_amount,
    carried.closing_balance::numeric(18, 2)                 as closing_balance,
    carried.transaction_count::integer                      as transaction_count,
    (carried.transaction_count > 0)                         as has_transactions
from carried
-- the version of the account valid at the end of the day
left join accounts
    on  carried.bank_id = accounts.bank_id
    and carried.account_id = accounts.account_id
    and (carried.balance_date + 1)::timestamp at time zone 'UTC' > accounts.valid_from
    and (carried.balance_date + 1)::timestamp at time zone 'UTC' <= accounts.valid_to
