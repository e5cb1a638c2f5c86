-- One row per loaded account: the generator's persona for it, renamed and cast from raw.account_profiles.
with source as (

    select * from {{ source('synthetic', 'account_profiles') }}

),

renamed as (

    select
        bank_id::text                        as bank_id,
        account_id::text                     as account_id,
        persona::text                        as persona,
        account_kind::text                   as account_kind,
        rtrim(country)::text                 as country_code,
        timezone::text                       as timezone,
        rtrim(currency)::text                as currency_code,
        overdraft_limit::numeric(18, 2)      as overdraft_limit_amount,
        opening_balance::numeric(18, 2)      as opening_balance_amount,
        monthly_income::numeric(18, 2)       as monthly_income_amount,
        activity_rate::numeric(8, 3)         as transactions_per_day,
        transactions_count::integer          as transactions_count,
        data_source::text                    as data_source,
        generated_at::timestamptz            as generated_at,
        load_id::uuid                        as load_id
    from source

)

select * from renamed
