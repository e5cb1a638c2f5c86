-- Weekend vs weekday spending
--
-- Question: do customers spend more on a weekend day than on a weekday?
-- Grain:    one row per day type (weekday, weekend) and currency.
-- Columns:  calendar_days = days of that type in the span of the data (quiet days count:
--           spend_per_day is per calendar day, not per day with spending);
--           average_ticket = spend / debit transactions. Spend = debits, in that currency,
--           cash withdrawals left out (taking cash out is not spending it).
WITH span AS (

    SELECT
        min(transaction_date_key) AS first_key,
        max(transaction_date_key) AS last_key
    FROM marts.fct_transactions

),

calendar AS (

    SELECT
        d.is_weekend,
        count(*) AS calendar_days
    FROM marts.dim_date AS d
    JOIN span
        ON d.date_key BETWEEN span.first_key AND span.last_key
    GROUP BY d.is_weekend

),

spending AS (

    SELECT
        d.is_weekend,
        f.currency_code,
        count(*) FILTER (WHERE f.amount < 0)    AS debit_transactions,
        sum(f.debit_amount)                     AS spend
    FROM marts.fct_transactions AS f
    JOIN marts.dim_date AS d
        ON d.date_key = f.transaction_date_key
    WHERE NOT f.is_cash_withdrawal
    GROUP BY
        d.is_weekend,
        f.currency_code

)

SELECT
    CASE WHEN spending.is_weekend THEN 'weekend' ELSE 'weekday' END        AS day_type,
    spending.currency_code,
    calendar.calendar_days,
    spending.debit_transactions,
    spending.spend,
    round(spending.spend / calendar.calendar_days, 2)                       AS spend_per_day,
    round(spending.spend / nullif(spending.debit_transactions, 0), 2)       AS average_ticket
FROM spending
JOIN calendar
    ON calendar.is_weekend = spending.is_weekend
ORDER BY
    spending.currency_code,
    day_type;
