{#
    Incremental by account and day: after `load --append` only the new days are built (per
    account from its first new day, and every account's spine runs on to the new last day);
    earlier days are left as they are. What changed is read from the data, not from load ids
    this table does not have: an account's days are kept up to the first day whose count or
    net flow differs from its transactions in the warehouse (or whose account version is no longer
    the one valid then), and from its last day with transactions on they are built again, which
    also checks that the ledger still runs on from the kept closing balance; when it does not
    (its history was replaced), the account is built whole. Rows of days or accounts that are no
    longer in the warehouse are deleted first (pre-hook).
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='account_days',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_balances_outside_activity(ref('int_account_daily_activity')) }}",
        indexes=[
            {'columns': ['date_key']},
            {'columns': ['account_key']},
        ],
    )
}}

-- the incremental build reads the transactions' counts and flows itself
-- depends_on: {{ ref('stg_synthetic__transactions') }}

-- Periodic snapshot: one row per account and UTC day, from the account's first transaction to
-- the last day with any transaction in the warehouse. Days without transactions carry the
-- previous closing balance forward.
with accounts as (

    select * from {{ ref('dim_account') }}

),

{% if is_incremental() %}

    -- count and net flow of every day: one hashed pass over the transactions, without the ledger
    -- order int_account_daily_activity sorts them in
    activity_flows as (

        select
            bank_id,
            account_id,
            transaction_day                                                 as activity_day,
            min(currency_code)                                              as currency_code,
            count(*)                                                        as transaction_count,
            sum(amount)                                                     as net_flow_amount
        from {{ ref('stg_synthetic__transactions') }}
        group by
            bank_id,
            account_id,
            transaction_day

    ),

    kept_days as (

        select * from {{ this }}

    ),

    kept_active_days as (

        select * from kept_days
        where has_transactions

    ),

    first_changes as (

        select
            coalesce(activity_flows.bank_id, kept_active_days.bank_id)     as bank_id,
            coalesce(activity_flows.account_id, kept_active_days.account_id)
                                                                            as account_id,
            min(coalesce(activity_flows.activity_day, kept_active_days.balance_date))
                                                                            as first_changed_day
        from activity_flows
        full join kept_active_days
            on
                activity_flows.bank_id = kept_active_days.bank_id
                and activity_flows.account_id = kept_active_days.account_id
                and activity_flows.activity_day = kept_active_days.balance_date
        where
            (activity_flows.transaction_count, activity_flows.net_flow_amount)
            is distinct from (kept_active_days.transaction_count, kept_active_days.net_flow_amount)
        group by
            coalesce(activity_flows.bank_id, kept_active_days.bank_id),
            coalesce(activity_flows.account_id, kept_active_days.account_id)

    ),

    -- days whose account version is no longer the one valid at their end (a version closed since)
    first_rekeyed as (

        select
            kept_days.bank_id,
            kept_days.account_id,
            min(kept_days.balance_date)                                     as first_rekeyed_day
        from kept_days
        left join accounts
            on
                kept_days.bank_id = accounts.bank_id
                and kept_days.account_id = accounts.account_id
                and (kept_days.balance_date + 1)::timestamp at time zone 'UTC' > accounts.valid_from
                and (kept_days.balance_date + 1)::timestamp at time zone 'UTC' <= accounts.valid_to
        where
            kept_days.account_key is distinct from {{ key_or_unknown('accounts.account_key') }}
            or kept_days.bank_key is distinct from {{ key_or_unknown('accounts.bank_key') }}
        group by
            kept_days.bank_id,
            kept_days.account_id

    ),

    -- from which day each account is checked: its first changed day, at the latest its last day
    -- with transactions (where the ledger check takes place) or the day after the table's last
    checks as (

        select
            activity_flows.bank_id,
            activity_flows.account_id,
            min(activity_flows.currency_code)                               as currency_code,
            min(activity_flows.activity_day)                                as first_day,
            least(
                max(activity_flows.activity_day),
                min(first_changes.first_changed_day),
                min(first_rekeyed.first_rekeyed_day),
                -- the table's days run to the same last day for every account: go on from there
                (select max(kept_last.balance_date) + 1 from kept_days as kept_last)
            )                                                               as check_from
        from activity_flows
        left join first_changes
            on
                activity_flows.bank_id = first_changes.bank_id
                and activity_flows.account_id = first_changes.account_id
        left join first_rekeyed
            on
                activity_flows.bank_id = first_rekeyed.bank_id
                and activity_flows.account_id = first_rekeyed.account_id
        group by
            activity_flows.bank_id,
            activity_flows.account_id

    ),

    -- each account's first opening balance from check_from on (an account checked from its
    -- first day is built whole anyway: after a full reload nothing is read here)
    next_openings as (

        select distinct on (checked_activity.bank_id, checked_activity.account_id)
            checked_activity.bank_id,
            checked_activity.account_id,
            checked_activity.opening_balance
        from {{ ref('int_account_daily_activity') }} as checked_activity
        inner join checks
            on
                checked_activity.bank_id = checks.bank_id
                and checked_activity.account_id = checks.account_id
                and checked_activity.activity_day >= checks.check_from
                and checks.check_from > checks.first_day
        -- a bound PostgreSQL pushes into the view's aggregate: only the days checked are read
        where checked_activity.activity_day >= (
            select min(earliest.check_from) from checks as earliest
            where earliest.check_from > earliest.first_day
        )
        order by
            checked_activity.bank_id,
            checked_activity.account_id,
            checked_activity.activity_day

    ),

    -- when the ledger runs on from the kept closing balance before check_from, the account's
    -- history before it is unchanged and its days are built from check_from; else it is built whole
    ledger as (

        select
            checks.*,
            kept_before.closing_balance                                     as closing_before,
            coalesce(
                checks.check_from > checks.first_day
                and kept_before.closing_balance = next_openings.opening_balance,
                false
            )                                                               as runs_on
        from checks
        left join kept_days as kept_before
            on
                checks.bank_id = kept_before.bank_id
                and checks.account_id = kept_before.account_id
                and checks.check_from - 1 = kept_before.balance_date
        left join next_openings
            on
                checks.bank_id = next_openings.bank_id
                and checks.account_id = next_openings.account_id

    ),

    build_starts as (

        select
            bank_id,
            account_id,
            currency_code,
            case when runs_on then check_from else first_day end           as build_from,
            case when runs_on then closing_before end                       as closing_before
        from ledger

    ),

    activity as (

        select activity_days.*
        from {{ ref('int_account_daily_activity') }} as activity_days
        inner join build_starts
            on
                activity_days.bank_id = build_starts.bank_id
                and activity_days.account_id = build_starts.account_id
                and activity_days.activity_day >= build_starts.build_from
        -- a bound PostgreSQL pushes into the view's aggregate: only the days to build are read
        where activity_days.activity_day >= (select min(earliest.build_from) from build_starts as earliest)

    ),

{% else %}

    activity as (

        select * from {{ ref('int_account_daily_activity') }}

    ),

    build_starts as (

        select
            bank_id,
            account_id,
            -- an account has one currency (tests/assert_one_currency_per_account.sql)
            min(currency_code)                                              as currency_code,
            min(activity_day)                                               as build_from,
            null::numeric                                                   as closing_before
        from activity
        group by
            bank_id,
            account_id

    ),

{% endif %}

window_end as (

    select max(activity_day) as last_day from activity

),

spine as (

    select
        build_starts.bank_id,
        build_starts.account_id,
        build_starts.currency_code,
        build_starts.build_from,
        build_starts.closing_before,
        series_day::date as balance_date
    from build_starts
    cross join window_end
    cross join lateral generate_series(build_starts.build_from, window_end.last_day, interval '1 day') as series_day

),

days as (

    select
        spine.bank_id,
        spine.account_id,
        spine.currency_code,
        spine.balance_date,
        activity.opening_balance                            as day_opening_balance,
        -- the first day built carries the kept closing balance when it has no transactions
        coalesce(
            activity.closing_balance,
            case when spine.balance_date = spine.build_from then spine.closing_before end
        )                                                   as day_closing_balance,
        coalesce(activity.inflow_amount, 0)                 as inflow_amount,
        coalesce(activity.outflow_amount, 0)                as outflow_amount,
        coalesce(activity.transaction_count, 0)             as transaction_count
    from spine
    left join activity
        on  spine.bank_id = activity.bank_id
        and spine.account_id = activity.account_id
        and spine.balance_date = activity.activity_day

),

grouped as (

    select
        *,
        -- a new group starts at every day with a closing balance; quiet days join the group before
        count(day_closing_balance) over (
            partition by bank_id, account_id
            order by balance_date
        )                                                   as balance_group
    from days

),

carried as (

    select
        *,
        first_value(day_closing_balance) over (
            partition by bank_id, account_id, balance_group
            order by balance_date
        )                                                   as closing_balance
    from grouped

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
