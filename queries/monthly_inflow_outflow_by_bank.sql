-- Monthly inflow and outflow by bank
--
-- Question: how much money came into and went out of each bank's accounts, month by month?
-- Grain:    one row per month (UTC), bank and currency. Amounts in different currencies are
--           never added together, so a bank with EUR and GBP accounts has two rows a month.
-- Columns:  inflow = credits, outflow = debits as a positive number, net_flow = inflow - outflow.
-- Note:     labelled fraud is included: it moved money all the same (see fraud_rate_by_pattern.sql).
SELECT
    d.year_month,
    coalesce(b.bank_name, b.bank_id)    AS bank_name,
    b.bank_id,
    f.currency_code,
    count(*)                            AS transactions,
    sum(f.credit_amount)                AS inflow,
    sum(f.debit_amount)                 AS outflow,
    sum(f.amount)                       AS net_flow
FROM marts.fct_transactions AS f
JOIN marts.dim_date AS d
    ON d.date_key = f.transaction_date_key
JOIN marts.dim_bank AS b
    ON b.bank_key = f.bank_key
GROUP BY
    d.year_month,
    b.bank_name,
    b.bank_id,
    f.currency_code
ORDER BY
    d.year_month,
    bank_name,
    f.currency_code;
