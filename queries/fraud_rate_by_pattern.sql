-- Fraud rate by pattern
--
-- Question: how much of the activity is labelled fraud, and which fraud patterns dominate?
-- Grain:    one row per fraud pattern (the generator's label), largest first.
-- Columns:  fraud_rate = the pattern's transactions / all transactions (a fraction, 0 to 1);
--           share_of_fraud = the pattern's transactions / all fraudulent ones (rows add up to 1);
--           overall_fraud_rate = all fraudulent / all transactions, repeated on each row;
--           median_abs_amount shows whether a pattern is many small or few large transactions
--           (in each transaction's own currency).
WITH totals AS (

    SELECT
        count(*)                                AS all_transactions,
        count(*) FILTER (WHERE is_fraud)        AS fraud_transactions
    FROM marts.fct_transactions

)

SELECT
    f.fraud_pattern,
    count(*)                                                                    AS transactions,
    count(DISTINCT (f.bank_id, f.account_id))                                   AS accounts,
    round(count(*)::numeric / totals.all_transactions, 6)                       AS fraud_rate,
    round(count(*)::numeric / totals.fraud_transactions, 4)                     AS share_of_fraud,
    round(totals.fraud_transactions::numeric / totals.all_transactions, 6)      AS overall_fraud_rate,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(f.amount))::numeric(18, 2)  AS median_abs_amount
FROM marts.fct_transactions AS f
CROSS JOIN totals
WHERE f.is_fraud
GROUP BY
    f.fraud_pattern,
    totals.all_transactions,
    totals.fraud_transactions
ORDER BY
    transactions DESC,
    f.fraud_pattern;
