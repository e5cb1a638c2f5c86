-- Every transaction belongs to a real account from OBP (live API or snapshot): its account_key
-- resolves to a dim_account version of that very account with an OBP data source.
select
    transactions.transaction_id,
    transactions.bank_id,
    transactions.account_id,
    transactions.account_key,
    accounts.data_source
from {{ ref('fct_transactions') }} as transactions
left join {{ ref('dim_account') }} as accounts
    on accounts.account_key = transactions.account_key
where accounts.account_key is null
   or accounts.bank_id <> transactions.bank_id
   or accounts.account_id <> transactions.account_id
   or accounts.data_source is null
   or accounts.data_source not in ('REAL_API', 'OBP_SNAPSHOT')
