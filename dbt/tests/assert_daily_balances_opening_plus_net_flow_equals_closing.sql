-- Per account over the whole window: the opening balance of its first day plus all net flows
-- must equal the closing balance of its last day. Returns the accounts where it does not.
WITH balances AS (

    SELECT * FROM {{ ref('fct_account_daily_balances') }}

),

per_account AS (

    SELECT
        bank_id,
        account_id,
        (array_agg(opening_balance ORDER BY balance_date))[1]         AS first_opening_balance,
        sum(net_flow_amount)                                           AS total_net_flow,
        (array_agg(closing_balance ORDER BY balance_date DESC))[1]    AS last_closing_balance
    FROM balances
    GROUP BY
        bank_id,
        account_id

)

SELECT *
FROM per_account
WHERE first_opening_balance + total_net_flow <> last_closing_balance
