-- One row per account and UTC day on which the account has transactions: flows of the day and
-- the ledger balance before the first and after the last transaction of the day.
WITH transactions AS (

    SELECT * FROM {{ ref('stg_synthetic__transactions') }}

),

daily AS (

    SELECT
        bank_id,
        account_id,
        transaction_day                                                    AS activity_day,
        -- the ledger order within a day: time, then id for transactions at the same instant
        (array_agg(balance_after - amount
                   ORDER BY transacted_at, transaction_id))[1]             AS opening_balance,
        (array_agg(balance_after
                   ORDER BY transacted_at DESC, transaction_id DESC))[1]   AS closing_balance,
        coalesce(sum(amount) FILTER (WHERE amount > 0), 0)                 AS inflow_amount,
        coalesce(-sum(amount) FILTER (WHERE amount < 0), 0)                AS outflow_amount,
        count(*)                                                           AS transaction_count
    FROM transactions
    GROUP BY
        bank_id,
        account_id,
        transaction_day

)

SELECT * FROM daily
