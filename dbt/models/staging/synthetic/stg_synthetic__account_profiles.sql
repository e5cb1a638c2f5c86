-- One row per loaded account: the generator's persona for it, renamed and cast from raw.account_profiles.
WITH source AS (

    SELECT * FROM {{ source('synthetic', 'account_profiles') }}

),

renamed AS (

    SELECT
        bank_id::text                        AS bank_id,
        account_id::text                     AS account_id,
        persona::text                        AS persona,
        account_kind::text                   AS account_kind,
        rtrim(country)::text                 AS country_code,
        timezone::text                       AS timezone,
        rtrim(currency)::text                AS currency_code,
        overdraft_limit::numeric(18, 2)      AS overdraft_limit_amount,
        opening_balance::numeric(18, 2)      AS opening_balance_amount,
        monthly_income::numeric(18, 2)       AS monthly_income_amount,
        activity_rate::numeric(8, 3)         AS transactions_per_day,
        transactions_count::integer          AS transactions_count,
        data_source::text                    AS data_source,
        generated_at::timestamptz            AS generated_at,
        load_id::uuid                        AS load_id
    FROM source

)

SELECT * FROM renamed
