-- Large-amount outliers
--
-- Question: which transactions are far larger than is usual for their kind?
-- Grain:    one row per outlying transaction, the most extreme first.
-- Rule:     an outlier is at least 5 times the median absolute amount of transactions of the
--           same type in the same currency (a median, not a mean, so the outliers themselves do
--           not raise the bar). Edit `times_median` below to tighten or loosen it.
-- Columns:  times_median = how many medians the amount is; is_fraud shows how many outliers the
--           fraud labels explain.
WITH params AS (

    SELECT 5 AS times_median

),

typical AS (

    SELECT
        f.transaction_type_key,
        f.currency_code,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(f.amount))::numeric(18, 2) AS median_abs_amount,
        count(*)                                                                 AS peers
    FROM marts.fct_transactions AS f
    GROUP BY
        f.transaction_type_key,
        f.currency_code

)

SELECT
    f.transaction_id,
    f.transacted_at,
    f.bank_id,
    f.account_id,
    t.transaction_type,
    f.channel,
    f.description,
    f.amount,
    f.currency_code,
    typical.median_abs_amount,
    round(abs(f.amount) / typical.median_abs_amount, 1)     AS times_median,
    typical.peers,
    f.is_fraud,
    f.fraud_pattern
FROM marts.fct_transactions AS f
CROSS JOIN params
JOIN typical
    ON  typical.transaction_type_key = f.transaction_type_key
    AND typical.currency_code = f.currency_code
JOIN marts.dim_transaction_type AS t
    ON t.transaction_type_key = f.transaction_type_key
WHERE typical.median_abs_amount > 0
  AND abs(f.amount) >= params.times_median * typical.median_abs_amount
ORDER BY
    times_median DESC,
    f.transaction_id;
