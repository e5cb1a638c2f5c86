-- Every transaction belongs to a real account from OBP (live API or snapshot): its account_key
-- resolves to a dim_account version of that very account with an OBP data source.
select
    fact.transaction_id,
    fact.bank_id,
    fact.account_id,
    fact.account_key,
    account_version.data_source
from {{ ref('fct_transactions') }} as fact
left join {{ ref('dim_account') }} as account_version
    on fact.account_key = account_version.account_key
where account_version.account_key is null
   or account_version.bank_id <> fact.bank_id
   or account_version.account_id <> fact.account_id
   or account_version.data_source is null
   or account_version.data_source not in ('REAL_API', 'OBP_SNAPSHOT')
