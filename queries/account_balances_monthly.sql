-- Month-end and average daily balances
--
-- Question: what did each account hold at the end of every month, and on an average day?
-- Grain:    one row per account and month (UTC) from the account's first transaction on.
-- Columns:  month_end_balance = closing balance of the month's last covered day;
--           average_daily_balance = mean of the daily closing balances (quiet days count with
--           the balance carried forward, as a bank computes interest);
--           month_complete = false for a month the data does not cover to its last day (the
--           current month, or the month the account's history starts): its "month end" is
--           then the latest day there is.
WITH days AS (

    SELECT
        bal.bank_id,
        bal.account_id,
        d.year_month,
        d.month_start_date,
        bal.balance_date,
        bal.closing_balance,
        row_number() OVER (
            PARTITION BY bal.bank_id, bal.account_id, d.year_month
            ORDER BY bal.balance_date DESC
        ) AS days_before_month_end
    FROM marts.fct_account_daily_balances AS bal
    JOIN marts.dim_date AS d
        ON d.date_key = bal.date_key

)

SELECT
    days.year_month,
    days.bank_id,
    days.account_id,
    a.account_label,
    a.currency_code,
    max(days.closing_balance) FILTER (WHERE days.days_before_month_end = 1)     AS month_end_balance,
    round(avg(days.closing_balance), 2)                                         AS average_daily_balance,
    min(days.closing_balance)                                                   AS lowest_balance,
    count(*)                                                                    AS days_covered,
    count(*) = extract(day FROM days.month_start_date + INTERVAL '1 month - 1 day')
                                                                                AS month_complete
FROM days
JOIN marts.dim_account AS a
    ON  a.bank_id = days.bank_id
    AND a.account_id = days.account_id
    AND a.is_current
GROUP BY
    days.year_month,
    days.month_start_date,
    days.bank_id,
    days.account_id,
    a.account_label,
    a.currency_code
ORDER BY
    days.bank_id,
    days.account_id,
    days.year_month;
