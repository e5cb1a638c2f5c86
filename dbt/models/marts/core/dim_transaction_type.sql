-- One row per transaction type: the profile's types (seed transaction_types) and any other type
-- seen in the data, whose direction is then taken from the sign of most of its amounts.
WITH profile_types AS (

    SELECT
        transaction_type,
        direction
    FROM {{ ref('transaction_types') }}

),

observed_types AS (

    SELECT
        transaction_type,
        count(*) FILTER (WHERE amount < 0)  AS debit_count,
        count(*) FILTER (WHERE amount > 0)  AS credit_count
    FROM {{ ref('stg_synthetic__transactions') }}
    GROUP BY transaction_type

),

all_types AS (

    SELECT
        coalesce(profile_types.transaction_type, observed_types.transaction_type)  AS transaction_type,
        profile_types.direction                                                   AS profile_direction,
        observed_types.debit_count,
        observed_types.credit_count
    FROM profile_types
    FULL OUTER JOIN observed_types
        ON observed_types.transaction_type = profile_types.transaction_type

)

SELECT
    {{ surrogate_key(['transaction_type']) }}                    AS transaction_type_key,
    transaction_type::text                                      AS transaction_type,
    coalesce(
        profile_direction,
        CASE WHEN debit_count >= credit_count THEN 'debit' ELSE 'credit' END
    )::text                                                     AS direction,
    CASE
        WHEN profile_direction IS NOT NULL THEN 'profile'
        ELSE 'amount_sign'
    END::text                                                   AS direction_source
FROM all_types
