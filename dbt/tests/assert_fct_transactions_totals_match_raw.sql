-- fct_transactions holds exactly the raw layer's transactions: same count, same amounts, and
-- debit/credit split the signed amount. Returns a row when any total differs.
WITH raw_totals AS (

    SELECT
        count(*)                                       AS transaction_count,
        coalesce(sum(amount), 0)                       AS amount_total,
        coalesce(sum(amount) FILTER (WHERE amount < 0), 0) AS debit_total,
        coalesce(sum(amount) FILTER (WHERE amount > 0), 0) AS credit_total,
        count(*) FILTER (WHERE is_fraud)               AS fraud_count
    FROM {{ source('synthetic', 'transactions') }}

),

fact_totals AS (

    SELECT
        count(*)                                       AS transaction_count,
        coalesce(sum(amount), 0)                       AS amount_total,
        -coalesce(sum(debit_amount), 0)                AS debit_total,
        coalesce(sum(credit_amount), 0)                AS credit_total,
        count(*) FILTER (WHERE is_fraud)               AS fraud_count
    FROM {{ ref('fct_transactions') }}

)

SELECT
    raw_totals.*,
    fact_totals.transaction_count   AS fact_transaction_count,
    fact_totals.amount_total        AS fact_amount_total,
    fact_totals.debit_total         AS fact_debit_total,
    fact_totals.credit_total        AS fact_credit_total,
    fact_totals.fraud_count         AS fact_fraud_count
FROM raw_totals
CROSS JOIN fact_totals
WHERE (raw_totals.transaction_count, raw_totals.amount_total, raw_totals.debit_total,
       raw_totals.credit_total, raw_totals.fraud_count)
      IS DISTINCT FROM
      (fact_totals.transaction_count, fact_totals.amount_total, fact_totals.debit_total,
       fact_totals.credit_total, fact_totals.fraud_count)
