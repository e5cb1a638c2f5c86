-- Transaction type mix
--
-- Question: what kinds of transactions happen, and how often, compared with each other?
-- Grain:    one row per transaction type, most frequent first.
-- Columns:  share_of_transactions is a fraction of all transactions (the rows add up to 1);
--           accounts = how many accounts used the type at least once. Counts, not amounts:
--           amounts in different currencies do not add up.
SELECT
    t.transaction_type,
    t.direction,
    count(*)                                                    AS transactions,
    round(count(*)::numeric / sum(count(*)) OVER (), 4)         AS share_of_transactions,
    count(DISTINCT (f.bank_id, f.account_id))                   AS accounts
FROM marts.fct_transactions AS f
JOIN marts.dim_transaction_type AS t
    ON t.transaction_type_key = f.transaction_type_key
GROUP BY
    t.transaction_type,
    t.direction
ORDER BY
    transactions DESC,
    t.transaction_type;
