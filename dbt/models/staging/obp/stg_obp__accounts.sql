-- One row per OBP account: raw.accounts renamed and cast, the raw payload left behind.
WITH source AS (

    SELECT * FROM {{ source('obp', 'accounts') }}

),

renamed AS (

    SELECT
        bank_id::text                 AS bank_id,
        account_id::text              AS account_id,
        account_label::text           AS account_label,
        account_type::text            AS account_type,
        account_number::text          AS account_number,
        iban::text                    AS iban,
        -- char(3) pads; text compares and joins without surprises
        rtrim(currency)::text         AS currency_code,
        balance::numeric(18, 2)       AS balance_amount,
        data_source::text             AS data_source,
        extracted_at::timestamptz     AS extracted_at,
        load_id::uuid                 AS load_id,
        is_active::boolean            AS is_active,
        last_seen_at::timestamptz     AS last_seen_at,
        last_seen_load_id::uuid       AS last_seen_load_id
    FROM source

)

SELECT * FROM renamed
