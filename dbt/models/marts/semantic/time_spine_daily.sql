-- One row per calendar day, whole years around the transactions' span: the calendar of dim_date
-- and MetricFlow's time spine.
with bounds as (

    select
        date_trunc('year', min(transaction_day))::date                                  as first_day,
        (date_trunc('year', max(transaction_day)) + interval '1 year - 1 day')::date    as last_day
    from {{ ref('stg_synthetic__transactions') }}

)

select series_day::date as date_day
from bounds
cross join lateral generate_series(first_day, last_day, interval '1 day') as series_day
