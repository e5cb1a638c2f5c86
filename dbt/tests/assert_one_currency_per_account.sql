-- Every account's transactions are in one currency, the account's: the daily balances carry it
-- as the currency of their amounts. Returns the accounts with more than one.
select
    bank_id,
    account_id,
    count(distinct currency_code) as currencies
from {{ ref('stg_synthetic__transactions') }}
group by
    bank_id,
    account_id
having count(distinct currency_code) > 1
