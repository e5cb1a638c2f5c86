-- One row per transaction with features for fraud models, computed only from the account's
-- earlier transactions (no look-ahead), and the label.
WITH transactions AS (

    SELECT * FROM {{ ref('fct_transactions') }}

),

features AS (

    SELECT
        transactions.transaction_id,
        transactions.account_key,
        transactions.bank_id,
        transactions.account_id,
        transactions.transacted_at,
        transactions.amount,
        abs(transactions.amount)                                           AS abs_amount,
        transactions.channel,
        transactions.merchant_key,
        transactions.transaction_type_key,
        -- local to the account: a 3 am purchase means 3 am where its owner lives
        extract(hour FROM transactions.transacted_at_local)                AS hour_of_day,
        extract(isodow FROM transactions.transacted_at_local)              AS iso_day_of_week,
        count(*) OVER account_before                                       AS prior_transaction_count,
        avg(abs(transactions.amount)) OVER account_before                  AS prior_avg_abs_amount,
        stddev_samp(abs(transactions.amount)) OVER account_before          AS prior_stddev_abs_amount,
        -- minus the transaction itself; EXCLUDE CURRENT ROW would give the same count but makes
        -- PostgreSQL recount every frame from scratch (minutes on a million rows)
        count(*) OVER account_last_hour - 1                                AS transactions_prev_1h,
        count(*) OVER account_last_day - 1                                 AS transactions_prev_24h,
        transactions.transacted_at - lag(transactions.transacted_at) OVER account_order
                                                                           AS since_previous,
        row_number() OVER (
            PARTITION BY transactions.bank_id, transactions.account_id, transactions.merchant_key
            ORDER BY transactions.transacted_at, transactions.transaction_id
        )                                                                  AS merchant_visit_number,
        transactions.is_fraud,
        transactions.fraud_pattern
    FROM transactions
    WINDOW
        account_order AS (
            PARTITION BY transactions.bank_id, transactions.account_id
            ORDER BY transactions.transacted_at, transactions.transaction_id
        ),
        account_before AS (
            account_order ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ),
        account_last_hour AS (
            PARTITION BY transactions.bank_id, transactions.account_id
            ORDER BY transactions.transacted_at
            RANGE BETWEEN INTERVAL '1 hour' PRECEDING AND CURRENT ROW
        ),
        account_last_day AS (
            PARTITION BY transactions.bank_id, transactions.account_id
            ORDER BY transactions.transacted_at
            RANGE BETWEEN INTERVAL '24 hours' PRECEDING AND CURRENT ROW
        )

)

SELECT
    transaction_id::text                                            AS transaction_id,
    account_key::text                                               AS account_key,
    bank_id::text                                                   AS bank_id,
    account_id::text                                                AS account_id,
    transacted_at                                                   AS transacted_at,
    amount::numeric(18, 2)                                          AS amount,
    abs_amount::numeric(18, 2)                                      AS abs_amount,
    (amount < 0)                                                    AS is_debit,
    channel::text                                                   AS channel,
    merchant_key::text                                              AS merchant_key,
    transaction_type_key::text                                      AS transaction_type_key,
    hour_of_day::integer                                            AS hour_of_day,
    iso_day_of_week::integer                                        AS iso_day_of_week,
    (iso_day_of_week IN (6, 7))                                     AS is_weekend,
    prior_transaction_count::integer                                AS prior_transaction_count,
    prior_avg_abs_amount::numeric(18, 2)                            AS prior_avg_abs_amount,
    (abs_amount / nullif(prior_avg_abs_amount, 0))::double precision
                                                                    AS amount_to_prior_avg_ratio,
    ((abs_amount - prior_avg_abs_amount) / nullif(prior_stddev_abs_amount, 0))::double precision
                                                                    AS amount_zscore,
    transactions_prev_1h::integer                                   AS transactions_prev_1h,
    transactions_prev_24h::integer                                  AS transactions_prev_24h,
    extract(epoch FROM since_previous)::double precision            AS seconds_since_previous,
    (merchant_key <> {{ unknown_key() }} AND merchant_visit_number = 1)
                                                                    AS is_first_at_merchant,
    is_fraud::boolean                                               AS is_fraud,
    fraud_pattern::text                                             AS fraud_pattern
FROM features
