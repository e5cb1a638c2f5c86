-- Top merchant categories
--
-- Question: on what kinds of goods and services (ISO 18245 merchant categories) do customers
--           spend, and how much of their card spend does each take?
-- Grain:    one row per category and currency: the 10 largest categories by spend in each
--           currency (amounts in different currencies are never compared or added).
-- Columns:  share_of_spend is a fraction of all merchant spend in that currency. Cash
--           withdrawals (MCC 6010/6011) are not spend and are left out.
WITH categories AS (

    SELECT
        m.merchant_category,
        m.merchant_category_code,
        f.currency_code,
        count(*)                                AS transactions,
        count(DISTINCT m.merchant_name)         AS merchants,
        sum(f.debit_amount)                     AS spend
    FROM marts.fct_transactions AS f
    JOIN marts.dim_merchant AS m
        ON m.merchant_key = f.merchant_key
    WHERE m.merchant_key <> '-1'
      AND NOT m.is_cash_withdrawal
    GROUP BY
        m.merchant_category,
        m.merchant_category_code,
        f.currency_code

),

ranked AS (

    SELECT
        categories.*,
        round(spend / nullif(sum(spend) OVER (PARTITION BY currency_code), 0), 4)  AS share_of_spend,
        rank() OVER (PARTITION BY currency_code ORDER BY spend DESC)              AS spend_rank
    FROM categories

)

SELECT
    currency_code,
    spend_rank,
    merchant_category,
    merchant_category_code,
    merchants,
    transactions,
    spend,
    share_of_spend
FROM ranked
WHERE spend_rank <= 10
ORDER BY
    currency_code,
    spend_rank,
    merchant_category;
