-- One row per OBP bank: raw.banks renamed and cast, the raw payload left behind.
with source as (

    select * from {{ source('obp', 'banks') }}

),

renamed as (

    select
        bank_id::text                as bank_id,
        bank_name::text              as bank_name,
        short_name::text             as short_name,
        website::text                as website_url,
        logo_url::text               as logo_url,
        data_source::text            as data_source,
        extracted_at::timestamptz    as extracted_at,
        load_id::uuid                as load_id,
        is_active::boolean           as is_active,
        last_seen_at::timestamptz    as last_seen_at,
        last_seen_load_id::uuid      as last_seen_load_id
    from source

)

select * from renamed
