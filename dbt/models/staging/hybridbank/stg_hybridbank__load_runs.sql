-- One row per load run: raw.load_runs renamed and cast. Ephemeral: marts.load_runs is a view on
-- it, and a view on a view would be dropped (CASCADE) whenever dbt replaced this one.
{{ config(materialized='ephemeral') }}

with source as (

    select * from {{ source('hybridbank', 'load_runs') }}

),

renamed as (

    select
        load_id::uuid                     as load_id,
        started_at::timestamptz           as started_at,
        finished_at::timestamptz          as finished_at,
        status::text                      as load_status,
        load_mode::text                   as load_mode,
        days_from::date                   as days_from,
        days_to::date                     as days_to,
        params::jsonb                     as load_params,
        obp_source::text                  as obp_source,
        obp_base_url::text                as obp_base_url,
        banks_count::integer              as banks_count,
        accounts_count::integer           as accounts_count,
        transactions_count::bigint        as transactions_count,
        step_timings::jsonb               as step_timings,
        error::text                       as error_message,
        tool_version::text                as tool_version
    from source

)

select * from renamed
