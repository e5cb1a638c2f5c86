-- Dormant accounts
--
-- Question: which accounts have gone quiet?
-- Grain:    one row per current account, the longest quiet first; add `WHERE is_dormant` for
--           the dormant ones only.
-- Columns:  days_inactive = days from the account's last transaction to the last day with any
--           transaction in the warehouse (the data's "today", so an old load still reads
--           sensibly); is_dormant = no transaction for dormant_after_days (30; edit below) or
--           none at all.
WITH params AS (

    SELECT 30 AS dormant_after_days

),

as_of AS (

    SELECT max(transacted_at) AS last_activity_in_warehouse
    FROM marts.fct_transactions

),

last_activity AS (

    SELECT
        bank_id,
        account_id,
        count(*)            AS transactions,
        max(transacted_at)  AS last_transaction_at
    FROM marts.fct_transactions
    GROUP BY
        bank_id,
        account_id

)

SELECT
    a.bank_id,
    a.account_id,
    a.account_label,
    a.account_type,
    a.balance_amount                                                            AS balance,
    a.currency_code,
    coalesce(last_activity.transactions, 0)                                     AS transactions,
    last_activity.last_transaction_at,
    (as_of.last_activity_in_warehouse::date - last_activity.last_transaction_at::date)
                                                                                AS days_inactive,
    coalesce(
        as_of.last_activity_in_warehouse::date - last_activity.last_transaction_at::date
            >= params.dormant_after_days,
        true
    )                                                                           AS is_dormant
FROM marts.dim_account AS a
CROSS JOIN params
CROSS JOIN as_of
LEFT JOIN last_activity
    ON  last_activity.bank_id = a.bank_id
    AND last_activity.account_id = a.account_id
WHERE a.is_current
  AND a.account_key <> '-1'
ORDER BY
    is_dormant DESC,
    days_inactive DESC NULLS FIRST,
    a.bank_id,
    a.account_id;
