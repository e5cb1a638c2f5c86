-- One row per OBP bank (its latest known version), plus the unknown bank.
with versions as (

    select
        *,
        row_number() over (partition by bank_id order by dbt_valid_from desc) as recency
    from {{ ref('snap_obp__banks') }}

),

banks as (

    select
        {{ surrogate_key(['bank_id']) }}        as bank_key,
        bank_id::text                           as bank_id,
        bank_name::text                         as bank_name,
        short_name::text                        as short_name,
        website::text                           as website_url,
        logo_url::text                          as logo_url,
        data_source::text                       as data_source,
        -- closed by the snapshot when the bank no longer appears in a load
        (dbt_valid_to is null)                  as is_active,
        extracted_at::timestamptz               as extracted_at,
        load_id::uuid                           as load_id
    from versions
    where recency = 1

),

unknown_member as (

    select
        {{ unknown_key() }}::text               as bank_key,
        'UNKNOWN'::text                         as bank_id,
        'Unknown bank'::text                    as bank_name,
        null::text                              as short_name,
        null::text                              as website_url,
        null::text                              as logo_url,
        null::text                              as data_source,
        false                                   as is_active,
        null::timestamptz                       as extracted_at,
        null::uuid                              as load_id

)

select * from banks
union all
select * from unknown_member
