-- Every account's transactions are in one currency, the account's: the daily balances carry it
-- as the currency of their amounts. Returns the accounts with more than one (min and max differ:
-- one hashed pass, where count(distinct) would sort every row).
select
    bank_id,
    account_id,
    min(currency_code) as first_currency,
    max(currency_code) as last_currency
from {{ ref('stg_synthetic__transactions') }}
group by
    bank_id,
    account_id
having min(currency_code) <> max(currency_code)
