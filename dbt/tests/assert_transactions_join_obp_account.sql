-- Every transaction belongs to a real account from OBP (live API or snapshot): its account_key
-- resolves to a dim_account version of that very account with an OBP data source.
SELECT
    transactions.transaction_id,
    transactions.bank_id,
    transactions.account_id,
    transactions.account_key,
    accounts.data_source
FROM {{ ref('fct_transactions') }} AS transactions
LEFT JOIN {{ ref('dim_account') }} AS accounts
    ON accounts.account_key = transactions.account_key
WHERE accounts.account_key IS NULL
   OR accounts.bank_id <> transactions.bank_id
   OR accounts.account_id <> transactions.account_id
   OR accounts.data_source IS NULL
   OR accounts.data_source NOT IN ('REAL_API', 'OBP_SNAPSHOT')
