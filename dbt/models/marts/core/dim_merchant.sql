-- One row per merchant and MCC seen in the transactions, named by the ISO 18245 category,
-- plus the member for transactions without merchant (salary, ATM, transfers).
WITH merchants AS (

    SELECT DISTINCT
        merchant_name,
        merchant_category_code
    FROM {{ ref('stg_synthetic__transactions') }}
    WHERE merchant_name IS NOT NULL
       OR merchant_category_code IS NOT NULL

),

categories AS (

    SELECT
        mcc,
        category
    FROM {{ ref('mcc_categories') }}

),

named AS (

    SELECT
        {{ surrogate_key(['merchants.merchant_name', 'merchants.merchant_category_code']) }} AS merchant_key,
        merchants.merchant_name::text                                   AS merchant_name,
        merchants.merchant_category_code::text                          AS merchant_category_code,
        CASE
            WHEN merchants.merchant_category_code IS NULL THEN 'No category'
            ELSE coalesce(categories.category, 'Unlisted MCC ' || merchants.merchant_category_code)
        END::text                                                       AS merchant_category
    FROM merchants
    LEFT JOIN categories
        ON categories.mcc = merchants.merchant_category_code

),

unknown_member AS (

    SELECT
        {{ unknown_key() }}::text       AS merchant_key,
        'No merchant'::text             AS merchant_name,
        NULL::text                      AS merchant_category_code,
        'Not applicable'::text          AS merchant_category

)

SELECT * FROM named
UNION ALL
SELECT * FROM unknown_member
