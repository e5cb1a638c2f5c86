-- One row per OBP bank (its latest known version), plus the unknown bank.
with seen as (

    -- the loader's flags: false once OBP no longer lists the bank (raw keeps the row)
    select
        bank_id,
        is_active,
        last_seen_at
    from {{ ref('stg_obp__banks') }}

),

versions as (

    select
        snapshots.*,
        coalesce(seen.is_active, false)         as is_active_at_obp,
        seen.last_seen_at                       as last_seen_at_obp,
        row_number() over (
            partition by snapshots.bank_id order by snapshots.dbt_valid_from desc
        )                                       as recency
    from {{ ref('snap_obp__banks') }} as snapshots
    left join seen on snapshots.bank_id = seen.bank_id

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
        is_active_at_obp                        as is_active,
        last_seen_at_obp                        as last_seen_at,
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
        null::timestamptz                       as last_seen_at,
        null::timestamptz                       as extracted_at,
        null::uuid                              as load_id

)

select * from banks
union all
select * from unknown_member
