-- One row per synthetic transaction: raw.transactions renamed and cast.
WITH source AS (

    SELECT * FROM {{ source('synthetic', 'transactions') }}

),

renamed AS (

    SELECT
        transaction_id::text                                  AS transaction_id,
        bank_id::text                                         AS bank_id,
        account_id::text                                      AS account_id,
        amount::numeric(18, 2)                                AS amount,
        rtrim(currency)::text                                 AS currency_code,
        transaction_type::text                                AS transaction_type,
        description::text                                     AS description,
        merchant::text                                        AS merchant_name,
        merchant_category::text                               AS merchant_category_code,
        counterparty::text                                    AS counterparty_name,
        channel::text                                         AS channel,
        transaction_date::timestamptz                         AS transacted_at,
        -- the day in UTC, whatever the session's time zone
        (transaction_date AT TIME ZONE 'UTC')::date           AS transaction_day,
        is_weekend::boolean                                   AS is_weekend,
        balance_after::numeric(18, 2)                         AS balance_after,
        is_fraud::boolean                                     AS is_fraud,
        fraud_pattern::text                                   AS fraud_pattern,
        data_source::text                                     AS data_source,
        generated_at::timestamptz                             AS generated_at,
        load_id::uuid                                         AS load_id
    FROM source

)

SELECT * FROM renamed
