-- Every transaction belongs to a real account from OBP (live API or snapshot): its account_key
-- resolves to a dim_account version of that very account with an OBP data source. The rows of
-- loads not yet tested (macros/data_tests.sql): a tested row keeps its account_key, and the
-- version that key names keeps its account and source (dim_account is built from the snapshot,
-- whose versions are never rewritten); the relationships test checks every row's key is there.
select
    fact.transaction_id,
    fact.bank_id,
    fact.account_id,
    fact.account_key,
    account_version.data_source
from {{ untested_rows(ref('fct_transactions')) }} as fact
left join {{ ref('dim_account') }} as account_version
    on fact.account_key = account_version.account_key
where account_version.account_key is null
   or account_version.bank_id <> fact.bank_id
   or account_version.account_id <> fact.account_id
   or account_version.data_source is null
   or account_version.data_source not in ('REAL_API', 'OBP_SNAPSHOT')
