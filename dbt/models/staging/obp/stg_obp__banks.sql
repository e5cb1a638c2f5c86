-- One row per OBP bank: raw.banks renamed and cast, the raw payload left behind.
WITH source AS (

    SELECT * FROM {{ source('obp', 'banks') }}

),

renamed AS (

    SELECT
        bank_id::text                AS bank_id,
        bank_name::text              AS bank_name,
        short_name::text             AS short_name,
        website::text                AS website_url,
        logo_url::text               AS logo_url,
        data_source::text            AS data_source,
        extracted_at::timestamptz    AS extracted_at,
        load_id::uuid                AS load_id,
        is_active::boolean           AS is_active,
        last_seen_at::timestamptz    AS last_seen_at,
        last_seen_load_id::uuid      AS last_seen_load_id
    FROM source

)

SELECT * FROM renamed
