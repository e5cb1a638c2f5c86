-- Periodic snapshot: one row per account and UTC day, from the account's first transaction to
-- the last day with any transaction in the warehouse. Days without transactions carry the
-- previous closing balance forward.
WITH activity AS (

    SELECT * FROM {{ ref('int_account_daily_activity') }}

),

accounts AS (

    SELECT * FROM {{ ref('dim_account') }}

),

account_windows AS (

    SELECT
        bank_id,
        account_id,
        min(activity_day) AS first_day
    FROM activity
    GROUP BY
        bank_id,
        account_id

),

window_end AS (

    SELECT max(activity_day) AS last_day FROM activity

),

spine AS (

    SELECT
        account_windows.bank_id,
        account_windows.account_id,
        day::date AS balance_date
    FROM account_windows
    CROSS JOIN window_end
    CROSS JOIN LATERAL generate_series(account_windows.first_day, window_end.last_day, INTERVAL '1 day') AS day

),

days AS (

    SELECT
        spine.bank_id,
        spine.account_id,
        spine.balance_date,
        activity.opening_balance                            AS day_opening_balance,
        activity.closing_balance                            AS day_closing_balance,
        coalesce(activity.inflow_amount, 0)                 AS inflow_amount,
        coalesce(activity.outflow_amount, 0)                AS outflow_amount,
        coalesce(activity.transaction_count, 0)             AS transaction_count,
        -- a new group starts at every day with transactions; quiet days join the group before
        count(activity.closing_balance) OVER (
            PARTITION BY spine.bank_id, spine.account_id
            ORDER BY spine.balance_date
        )                                                   AS balance_group
    FROM spine
    LEFT JOIN activity
        ON  activity.bank_id = spine.bank_id
        AND activity.account_id = spine.account_id
        AND activity.activity_day = spine.balance_date

),

carried AS (

    SELECT
        days.*,
        first_value(day_closing_balance) OVER (
            PARTITION BY bank_id, account_id, balance_group
            ORDER BY balance_date
        )                                                   AS closing_balance
    FROM days

)

SELECT
    {{ surrogate_key(['carried.bank_id', 'carried.account_id', 'carried.balance_date']) }}
                                                            AS account_daily_balance_key,
    coalesce(accounts.account_key, {{ unknown_key() }})     AS account_key,
    coalesce(accounts.bank_key, {{ unknown_key() }})        AS bank_key,
    to_char(carried.balance_date, 'YYYYMMDD')::integer      AS date_key,
    carried.bank_id::text                                   AS bank_id,
    carried.account_id::text                                AS account_id,
    carried.balance_date                                    AS balance_date,
    -- on a quiet day the balance neither moves nor starts elsewhere than it ends
    coalesce(carried.day_opening_balance, carried.closing_balance)::numeric(18, 2)
                                                            AS opening_balance,
    carried.inflow_amount::numeric(18, 2)                   AS inflow_amount,
    carried.outflow_amount::numeric(18, 2)                  AS outflow_amount,
    (carried.inflow_amount - carried.outflow_amount)::numeric(18, 2)
                                                            AS net_flow_amount,
    carried.closing_balance::numeric(18, 2)                 AS closing_balance,
    carried.transaction_count::integer                      AS transaction_count,
    (carried.transaction_count > 0)                         AS has_transactions
FROM carried
-- the version of the account valid at the end of the day
LEFT JOIN accounts
    ON  accounts.bank_id = carried.bank_id
    AND accounts.account_id = carried.account_id
    AND (carried.balance_date + 1)::timestamp AT TIME ZONE 'UTC' > accounts.valid_from
    AND (carried.balance_date + 1)::timestamp AT TIME ZONE 'UTC' <= accounts.valid_to
