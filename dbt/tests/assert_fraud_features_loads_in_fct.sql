-- Every (bank_id, account_id, load_id) of fraud_features is one of fct_transactions: with the
-- relationships test on the rows of loads not yet tested, every feature row has its transaction
-- (a tested row's transaction leaves the fact only with its whole account and load). Both sides
-- are read through their (bank_id, account_id, load_id) index.
with features as (

    {{ account_loads(ref('fraud_features'), true) }}

),

facts as (

    {{ account_loads(ref('fct_transactions'), true) }}

)

select
    features.bank_id,
    features.account_id,
    features.load_id
from features
left join facts
    on
        features.bank_id = facts.bank_id
        and features.account_id = facts.account_id
        and features.load_id = facts.load_id
where facts.load_id is null
