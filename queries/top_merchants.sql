-- Top merchants
--
-- Question: where do customers spend the most?
-- Grain:    one row per merchant and currency: the 10 merchants with the highest spend in each
--           currency (amounts in different currencies are never compared or added).
-- Columns:  spend = debits at the merchant, refunds = credits from it, net_spend = the difference.
--           Transactions without a merchant (salary, transfers) and cash withdrawals (ATMs,
--           MCC 6010/6011: cash is not spend) are left out.
WITH merchants AS (

    SELECT
        m.merchant_name,
        m.merchant_category,
        f.currency_code,
        count(*)                    AS transactions,
        sum(f.debit_amount)         AS spend,
        sum(f.credit_amount)        AS refunds,
        sum(-f.amount)              AS net_spend
    FROM marts.fct_transactions AS f
    JOIN marts.dim_merchant AS m
        ON m.merchant_key = f.merchant_key
    WHERE m.merchant_key <> '-1'
      AND NOT m.is_cash_withdrawal
    GROUP BY
        m.merchant_name,
        m.merchant_category,
        f.currency_code

),

ranked AS (

    SELECT
        merchants.*,
        rank() OVER (PARTITION BY currency_code ORDER BY spend DESC) AS spend_rank
    FROM merchants

)

SELECT
    currency_code,
    spend_rank,
    merchant_name,
    merchant_category,
    transactions,
    spend,
    refunds,
    net_spend
FROM ranked
WHERE spend_rank <= 10
ORDER BY
    currency_code,
    spend_rank,
    merchant_name;
