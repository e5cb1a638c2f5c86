-- One row per synthetic transaction: raw.transactions renamed and cast.
with source as (

    select * from {{ source('synthetic', 'transactions') }}

),

renamed as (

    select
        transaction_id::text                                  as transaction_id,
        bank_id::text                                         as bank_id,
        account_id::text                                      as account_id,
        amount::numeric(18, 2)                                as amount,
        rtrim(currency)::text                                 as currency_code,
        transaction_type::text                                as transaction_type,
        description::text                                     as description,
        merchant::text                                        as merchant_name,
        merchant_category::text                               as merchant_category_code,
        counterparty::text                                    as counterparty_name,
        channel::text                                         as channel,
        transaction_date::timestamptz                         as transacted_at,
        -- the day in UTC, whatever the session's time zone
        (transaction_date at time zone 'UTC')::date           as transaction_day,
        is_weekend::boolean                                   as is_weekend,
        balance_after::numeric(18, 2)                         as balance_after,
        is_fraud::boolean                                     as is_fraud,
        fraud_pattern::text                                   as fraud_pattern,
        data_source::text                                     as data_source,
        generated_at::timestamptz                             as generated_at,
        load_id::uuid                                         as load_id
    from source

)

select * from renamed
