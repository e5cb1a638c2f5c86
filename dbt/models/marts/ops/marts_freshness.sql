-- One row: when the marts were built, from which load, and up to when their data runs. A
-- succeeded load in load_runs that finished after built_from_load_finished_at is not in the
-- marts yet: `npm run transform` and `npm run report` say so.
with latest_load as (

    select
        load_id,
        finished_at
    from {{ ref('stg_hybridbank__load_runs') }}
    where load_status = 'succeeded'
    order by finished_at desc
    limit 1

),

data_span as (

    select
        max(transacted_at)                          as data_through,
        max(generated_at)                           as generated_through
    from {{ ref('fct_transactions') }}

)

select
    '{{ run_started_at.isoformat() }}'::timestamptz  as built_at,
    latest_load.load_id                             as built_from_load_id,
    latest_load.finished_at                         as built_from_load_finished_at,
    data_span.data_through,
    (data_span.data_through at time zone 'UTC')::date
                                                    as data_as_of_date,
    data_span.generated_through
from data_span
left join latest_load on true
