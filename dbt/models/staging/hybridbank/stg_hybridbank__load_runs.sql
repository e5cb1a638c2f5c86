-- One row per load run: raw.load_runs renamed and cast.
WITH source AS (

    SELECT * FROM {{ source('hybridbank', 'load_runs') }}

),

renamed AS (

    SELECT
        load_id::uuid                     AS load_id,
        started_at::timestamptz           AS started_at,
        finished_at::timestamptz          AS finished_at,
        status::text                      AS load_status,
        params::jsonb                     AS load_params,
        obp_source::text                  AS obp_source,
        obp_base_url::text                AS obp_base_url,
        banks_count::integer              AS banks_count,
        accounts_count::integer           AS accounts_count,
        transactions_count::bigint        AS transactions_count,
        step_timings::jsonb               AS step_timings,
        error::text                       AS error_message,
        tool_version::text                AS tool_version
    FROM source

)

SELECT * FROM renamed
