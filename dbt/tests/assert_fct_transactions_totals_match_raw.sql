-- fct_transactions holds exactly the raw layer's transactions: same count, same amounts, and
-- debit/credit split the signed amount. Returns a row when any total differs.
with raw_totals as (

    select
        count(*)                                       as transaction_count,
        coalesce(sum(amount), 0)                       as amount_total,
        coalesce(sum(amount) filter (where amount < 0), 0) as debit_total,
        coalesce(sum(amount) filter (where amount > 0), 0) as credit_total,
        count(*) filter (where is_fraud)               as fraud_count
    from {{ source('synthetic', 'transactions') }}

),

fact_totals as (

    select
        count(*)                                       as transaction_count,
        coalesce(sum(amount), 0)                       as amount_total,
        -coalesce(sum(debit_amount), 0)                as debit_total,
        coalesce(sum(credit_amount), 0)                as credit_total,
        count(*) filter (where is_fraud)               as fraud_count
    from {{ ref('fct_transactions') }}

)

select
    raw_totals.*,
    fact_totals.transaction_count   as fact_transaction_count,
    fact_totals.amount_total        as fact_amount_total,
    fact_totals.debit_total         as fact_debit_total,
    fact_totals.credit_total        as fact_credit_total,
    fact_totals.fraud_count         as fact_fraud_count
from raw_totals
cross join fact_totals
where (raw_totals.transaction_count, raw_totals.amount_total, raw_totals.debit_total,
       raw_totals.credit_total, raw_totals.fraud_count)
      is distinct from
      (fact_totals.transaction_count, fact_totals.amount_total, fact_totals.debit_total,
       fact_totals.credit_total, fact_totals.fraud_count)
