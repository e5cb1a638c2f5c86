-- The closing balance of each account on the last day of the window equals the balance_after
-- of its last transaction (by time, then transaction_id).
WITH last_transaction AS (

    SELECT DISTINCT ON (bank_id, account_id)
        bank_id,
        account_id,
        balance_after
    FROM {{ ref('stg_synthetic__transactions') }}
    ORDER BY
        bank_id,
        account_id,
        transacted_at DESC,
        transaction_id DESC

),

last_day AS (

    SELECT DISTINCT ON (bank_id, account_id)
        bank_id,
        account_id,
        balance_date,
        closing_balance
    FROM {{ ref('fct_account_daily_balances') }}
    ORDER BY
        bank_id,
        account_id,
        balance_date DESC

)

SELECT
    last_transaction.bank_id,
    last_transaction.account_id,
    last_transaction.balance_after,
    last_day.balance_date,
    last_day.closing_balance
FROM last_transaction
LEFT JOIN last_day
    ON  last_day.bank_id = last_transaction.bank_id
    AND last_day.account_id = last_transaction.account_id
WHERE last_day.closing_balance IS DISTINCT FROM last_transaction.balance_after
