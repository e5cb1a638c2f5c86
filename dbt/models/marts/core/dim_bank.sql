-- One row per OBP bank (its latest known version), plus the unknown bank.
WITH versions AS (

    SELECT
        snap.*,
        row_number() OVER (PARTITION BY snap.bank_id ORDER BY snap.dbt_valid_from DESC) AS recency
    FROM {{ ref('snap_obp__banks') }} AS snap

),

banks AS (

    SELECT
        {{ surrogate_key(['bank_id']) }}        AS bank_key,
        bank_id::text                           AS bank_id,
        bank_name::text                         AS bank_name,
        short_name::text                        AS short_name,
        website::text                           AS website_url,
        logo_url::text                          AS logo_url,
        data_source::text                       AS data_source,
        -- the loader's flag: false once OBP no longer lists the bank (raw keeps the row)
        coalesce((SELECT seen.is_active FROM {{ ref('stg_obp__banks') }} AS seen
                  WHERE seen.bank_id = versions.bank_id), FALSE)
                                                AS is_active,
        (SELECT seen.last_seen_at FROM {{ ref('stg_obp__banks') }} AS seen
         WHERE seen.bank_id = versions.bank_id) AS last_seen_at,
        extracted_at::timestamptz               AS extracted_at,
        load_id::uuid                           AS load_id
    FROM versions
    WHERE recency = 1

),

unknown_member AS (

    SELECT
        {{ unknown_key() }}::text               AS bank_key,
        'UNKNOWN'::text                         AS bank_id,
        'Unknown bank'::text                    AS bank_name,
        NULL::text                              AS short_name,
        NULL::text                              AS website_url,
        NULL::text                              AS logo_url,
        NULL::text                              AS data_source,
        FALSE                                   AS is_active,
        NULL::timestamptz                       AS last_seen_at,
        NULL::timestamptz                       AS extracted_at,
        NULL::uuid                              AS load_id

)

SELECT * FROM banks
UNION ALL
SELECT * FROM unknown_member
