-- One row per merchant and MCC seen in the transactions, named by the ISO 18245 category, plus
-- the member for transactions without merchant (salary, transfers). ATM withdrawals have the
-- ATM as merchant (MCC 6011) and are flagged as cash, which is not spend.
with merchants as (

    select distinct
        merchant_name,
        merchant_category_code
    from {{ ref('stg_synthetic__transactions') }}
    where merchant_name is not null
       or merchant_category_code is not null

),

categories as (

    select
        mcc,
        category
    from {{ ref('mcc_categories') }}

),

named as (

    select
        {{ surrogate_key(['merchants.merchant_name', 'merchants.merchant_category_code']) }} as merchant_key,
        merchants.merchant_name::text                                   as merchant_name,
        merchants.merchant_category_code::text                          as merchant_category_code,
        case
            when merchants.merchant_category_code is null then 'No category'
            else coalesce(categories.category, 'Unlisted MCC ' || merchants.merchant_category_code)
        end::text                                                       as merchant_category,
        {{ is_cash_withdrawal('merchants.merchant_category_code') }}    as is_cash_withdrawal
    from merchants
    left join categories
        on merchants.merchant_category_code = categories.mcc

),

unknown_member as (

    select
        {{ unknown_key() }}::text       as merchant_key,
        'No merchant'::text             as merchant_name,
        null::text                      as merchant_category_code,
        'Not applicable'::text          as merchant_category,
        false                           as is_cash_withdrawal

)

select * from named
union all
select * from unknown_member
