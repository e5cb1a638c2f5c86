{#
    Incremental per account and load, like fct_transactions (macros/incremental.sql): after
    `load --append` only the appended rows get features, computed from the history before them
    without recomputing it. The history's totals per account (count, sum and sum of squares of the
    absolute amounts, merchants visited) come from this table's rows; the windows over time (the
    previous hour and day, the previous transaction) from the kept fact rows just before the new
    ones. The totals give the same numbers as the aggregates over every earlier row: avg and
    stddev_samp of numeric are exactly these sums divided, see moments. An account
    whose history was replaced, or whose new rows do not all come after its kept ones, is
    recomputed whole; a full reload empties the table and builds its indexes after the insert.
#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ prepare_incremental_by_account(ref('fct_transactions'), source_indexed=true, ordered=true) }}",
        post_hook="{{ rebuild_dropped_indexes() }}",
        indexes=[
            {'columns': ['bank_id', 'account_id', 'load_id']},
        ],
    )
}}

-- One row per transaction with features for fraud models, computed only from the account's
-- earlier transactions (no look-ahead), and the label.
with new_transactions as (

    select * from {{ ref('fct_transactions') }}
    {{ where_load_unseen(ref('fct_transactions'), source_indexed=true) }}

),

-- the new (bank_id, account_id, load_id) of the fact
new_loads as (

    {% if is_incremental() %}
        {{ unseen_loads(ref('fct_transactions')) }}
    {% else %}
        select
            bank_id,
            account_id,
            load_id
        from {{ ref('fct_transactions') }}
        where false
    {% endif %}

),

-- what this table already holds of the accounts with new rows, per merchant
history_by_merchant as (

    select
        bank_id,
        account_id,
        merchant_key,
        count(*)                                              as transaction_count,
        sum(abs(amount))                                      as abs_amount_sum,
        sum(abs(amount) * abs(amount))                        as abs_amount_square_sum,
        max(transacted_at)                                    as last_transacted_at
    {% if is_incremental() %}
        from {{ this }}
        where (bank_id, account_id) in (select new_loads.bank_id, new_loads.account_id from new_loads)
    {% else %}
        from {{ ref('fct_transactions') }}
        where false
    {% endif %}
    group by
        bank_id,
        account_id,
        merchant_key

),

history as (

    select
        bank_id,
        account_id,
        sum(transaction_count)                                as transaction_count,
        sum(abs_amount_sum)                                   as abs_amount_sum,
        sum(abs_amount_square_sum)                            as abs_amount_square_sum,
        max(last_transacted_at)                               as last_transacted_at
    from history_by_merchant
    group by
        bank_id,
        account_id

),

-- the kept rows the time windows of the new rows reach back to: from a day before the account's
-- first new row, and at least its last kept row
context_start as (

    select
        history.bank_id,
        history.account_id,
        least(min(fresh.transacted_at) - interval '24 hours', max(history.last_transacted_at))
                                                              as context_from
    from history
    inner join new_loads
        on
            history.bank_id = new_loads.bank_id
            and history.account_id = new_loads.account_id
    inner join {{ ref('fct_transactions') }} as fresh
        on
            new_loads.bank_id = fresh.bank_id
            and new_loads.account_id = fresh.account_id
            and new_loads.load_id = fresh.load_id
    group by
        history.bank_id,
        history.account_id

),

transactions as (

    select
        *,
        false                                                 as is_context
    from new_transactions
    union all
    select
        kept.*,
        true                                                  as is_context
    from {{ ref('fct_transactions') }} as kept
    inner join context_start
        on
            kept.bank_id = context_start.bank_id
            and kept.account_id = context_start.account_id
            and kept.transacted_at >= context_start.context_from
    where
        kept.transacted_at >= (select min(earliest.context_from) from context_start as earliest)
        {% if is_incremental() %}
            and (kept.bank_id, kept.account_id, kept.load_id) in ({{ account_loads(this, true) }})
        {% endif %}

),

windowed as (

    select
        transactions.transaction_id,
        transactions.account_key,
        transactions.bank_id,
        transactions.account_id,
        transactions.transacted_at,
        transactions.currency_code,
        transactions.amount,
        abs(transactions.amount)                              as abs_amount,
        transactions.channel,
        transactions.merchant_key,
        transactions.transaction_type_key,
        transactions.is_context,
        -- local to the account: a 3 am purchase means 3 am where its owner lives
        extract(hour from transactions.transacted_at_local)   as hour_of_day,
        extract(isodow from transactions.transacted_at_local) as iso_day_of_week,
        coalesce(history.transaction_count, 0)
        + count(*) filter (where not transactions.is_context) over account_before
                                                              as prior_transaction_count,
        -- every earlier row, unless the account has history in this table
        avg(abs(transactions.amount)) over account_before     as window_avg_abs_amount,
        stddev_samp(abs(transactions.amount)) over account_before
                                                              as window_stddev_abs_amount,
        {% if is_incremental() %}
            history.transaction_count is not null             as has_history,
            -- the history's sums, and those of the new rows before this one
            coalesce(history.abs_amount_sum, 0)
            + coalesce(sum(abs(transactions.amount)) filter (where not transactions.is_context) over account_before, 0)
                                                              as prior_abs_amount_sum,
            coalesce(history.abs_amount_square_sum, 0)
            + coalesce(
                sum(abs(transactions.amount) * abs(transactions.amount)) filter (where not transactions.is_context)
                    over account_before,
                0
            )                                                 as prior_abs_amount_square_sum,
        {% endif %}
        -- minus the transaction itself; EXCLUDE CURRENT ROW would give the same count but makes
        -- PostgreSQL recount every frame from scratch (minutes on a million rows)
        count(*) over account_last_hour - 1                   as transactions_prev_1h,
        count(*) over account_last_day - 1                    as transactions_prev_24h,
        transactions.transacted_at - lag(transactions.transacted_at) over account_order
                                                              as since_previous,
        row_number() over (
            partition by transactions.bank_id, transactions.account_id, transactions.merchant_key, transactions.is_context
            order by transactions.transacted_at, transactions.transaction_id
        )                                                     as merchant_visit_number,
        history_by_merchant.transaction_count is not null     as visited_merchant_before,
        transactions.is_fraud,
        transactions.fraud_pattern,
        transactions.load_id
    from transactions
    left join history
        on
            transactions.bank_id = history.bank_id
            and transactions.account_id = history.account_id
    left join history_by_merchant
        on
            transactions.bank_id = history_by_merchant.bank_id
            and transactions.account_id = history_by_merchant.account_id
            and transactions.merchant_key = history_by_merchant.merchant_key
    window
        account_order as (
            partition by transactions.bank_id, transactions.account_id
            order by transactions.transacted_at, transactions.transaction_id
        ),
        account_before as (
            account_order rows between unbounded preceding and 1 preceding
        ),
        account_last_hour as (
            partition by transactions.bank_id, transactions.account_id
            order by transactions.transacted_at
            range between interval '1 hour' preceding and current row
        ),
        account_last_day as (
            partition by transactions.bank_id, transactions.account_id
            order by transactions.transacted_at
            range between interval '24 hours' preceding and current row
        )

),

{% if is_incremental() %}

    -- for an account with history, avg() and var_samp() of numeric as PostgreSQL computes them from
    -- the same sums: the sum divided by the count; n * sum(x^2) - sum(x)^2 (0 when not positive)
    -- divided by n * (n - 1), at the scale numeric division picks
    moments as (

        select
            *,
            case
                when not has_history then window_avg_abs_amount
                else prior_abs_amount_sum / prior_transaction_count::numeric
            end                                               as prior_avg_abs_amount,
            case
                when not has_history then null
                when prior_transaction_count < 2 then null
                when prior_transaction_count * prior_abs_amount_square_sum - prior_abs_amount_sum * prior_abs_amount_sum <= 0
                    then 0
                else (prior_transaction_count * prior_abs_amount_square_sum - prior_abs_amount_sum * prior_abs_amount_sum)
                    / (prior_transaction_count * (prior_transaction_count - 1))::numeric
            end                                               as prior_variance_abs_amount
        from windowed
        where not is_context

    ),

    features as (

        select
            *,
            case
                when not has_history then window_stddev_abs_amount
                -- stddev_samp(): the square root at the variance's scale (taken 20 digits
                -- further, then rounded, so it is rounded once like PostgreSQL's own)
                else round(
                    sqrt(round(prior_variance_abs_amount, scale(prior_variance_abs_amount) + 20)),
                    scale(prior_variance_abs_amount)
                )
            end                                               as prior_stddev_abs_amount
        from moments

    )

{% else %}

    features as (

        select
            *,
            window_avg_abs_amount                             as prior_avg_abs_amount,
            window_stddev_abs_amount                          as prior_stddev_abs_amount
        from windowed

    )

{% endif %}

select
    transaction_id::text                                            as transaction_id,
    account_key::text                                               as account_key,
    bank_id::text                                                   as bank_id,
    account_id::text                                                as account_id,
    transacted_at,
    currency_code::text                                             as currency_code,
    amount::numeric(18, 2)                                          as amount,
    abs_amount::numeric(18, 2)                                      as abs_amount,
    (amount < 0)                                                    as is_debit,
    channel::text                                                   as channel,
    merchant_key::text                                              as merchant_key,
    transaction_type_key::text                                      as transaction_type_key,
    hour_of_day::integer                                            as hour_of_day,
    iso_day_of_week::integer                                        as iso_day_of_week,
    (iso_day_of_week in (6, 7))                                     as is_weekend,
    prior_transaction_count::integer                                as prior_transaction_count,
    prior_avg_abs_amount::numeric(18, 2)                            as prior_avg_abs_amount,
    (abs_amount / nullif(prior_avg_abs_amount, 0))::double precision
                                                                    as amount_to_prior_avg_ratio,
    ((abs_amount - prior_avg_abs_amount) / nullif(prior_stddev_abs_amount, 0))::double precision
                                                                    as amount_zscore,
    transactions_prev_1h::integer                                   as transactions_prev_1h,
    transactions_prev_24h::integer                                  as transactions_prev_24h,
    extract(epoch from since_previous)::double precision            as seconds_since_previous,
    (merchant_key <> {{ unknown_key() }} and merchant_visit_number = 1 and not visited_merchant_before)
                                                                    as is_first_at_merchant,
    is_fraud::boolean                                               as is_fraud,
    fraud_pattern::text                                             as fraud_pattern,
    load_id::uuid                                                   as load_id
from features
