-- One row per load run, live: a view, so readers see a load as soon as it has finished, also
-- before the marts are rebuilt from it (compare with marts_freshness). Only the public fields:
-- no parameters, endpoints or timings of the loader.
{{ config(materialized='view') }}

select
    load_id,
    started_at,
    finished_at,
    load_status,
    load_mode,
    days_from,
    days_to,
    obp_source,
    banks_count,
    accounts_count,
    transactions_count,
    round(extract(epoch from finished_at - started_at)::numeric, 1)::numeric(12, 1) as duration_seconds,
    error_message
from {{ ref('stg_hybridbank__load_runs') }}
