-- One row per OBP account: raw.accounts renamed and cast, the raw payload left behind.
with source as (

    select * from {{ source('obp', 'accounts') }}

),

renamed as (

    select
        bank_id::text                 as bank_id,
        account_id::text              as account_id,
        account_label::text           as account_label,
        account_type::text            as account_type,
        account_number::text          as account_number,
        iban::text                    as iban,
        -- char(3) pads; text compares and joins without surprises
        rtrim(currency)::text         as currency_code,
        balance::numeric(18, 2)       as balance_amount,
        data_source::text             as data_source,
        extracted_at::timestamptz     as extracted_at,
        load_id::uuid                 as load_id,
        is_active::boolean            as is_active,
        last_seen_at::timestamptz     as last_seen_at,
        last_seen_load_id::uuid       as last_seen_load_id
    from source

)

select * from renamed
