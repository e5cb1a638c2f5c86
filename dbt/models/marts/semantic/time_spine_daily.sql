-- One row per calendar day, whole years around the transactions' span: the calendar of dim_date
-- and MetricFlow's time spine. The span is read from fct_transactions (which holds exactly the
-- raw transactions, tests/assert_fct_transactions_totals_match_raw.sql): its transacted_at index
-- gives the first and last transaction in two index probes, where the staging view would scan
-- every raw row (1.4 s on a million, each build).
with bounds as (

    select
        min(transacted_at)                                                              as first_at,
        max(transacted_at)                                                              as last_at
    from {{ ref('fct_transactions') }}

),

-- the UTC days of the first and last transaction, as stg's transaction_day
days as (

    select
        date_trunc('year', (first_at at time zone 'UTC')::date)::date                   as first_day,
        (date_trunc('year', (last_at at time zone 'UTC')::date) + interval '1 year - 1 day')::date
                                                                                        as last_day
    from bounds

)

select series_day::date as date_day
from days
cross join lateral generate_series(first_day, last_day, interval '1 day') as series_day
