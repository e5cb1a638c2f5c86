-- SCD2: one row per version of an OBP account (from snap_obp__accounts), plus the unknown account.
-- A version is valid from the extraction (extracted_at) of the load that saw the change, until
-- the next version's. The first version of each account is valid from 1900-01-01: the synthetic
-- history precedes the first extraction, and its transactions belong to the account as first seen.
-- The synthetic persona (raw.account_profiles) is joined on: it belongs to the account, not to a
-- version.
with seen as (

    -- the loader's flags, the same on every version: false once OBP no longer lists the account
    select
        bank_id,
        account_id,
        is_active,
        last_seen_at
    from {{ ref('stg_obp__accounts') }}

),

profiles as (

    select * from {{ ref('stg_synthetic__account_profiles') }}

),

versions as (

    select
        snapshots.*,
        coalesce(seen.is_active, false)     as is_active_at_obp,
        seen.last_seen_at                   as last_seen_at_obp,
        profiles.persona,
        profiles.account_kind,
        profiles.country_code,
        profiles.timezone,
        profiles.overdraft_limit_amount,
        profiles.transactions_per_day,
        row_number() over account_versions  as version_number,
        lead(snapshots.extracted_at) over account_versions
                                            as next_extracted_at
    from {{ ref('snap_obp__accounts') }} as snapshots
    left join seen
        on
            snapshots.bank_id = seen.bank_id
            and snapshots.account_id = seen.account_id
    left join profiles
        on
            snapshots.bank_id = profiles.bank_id
            and snapshots.account_id = profiles.account_id
    window account_versions as (
        partition by snapshots.bank_id, snapshots.account_id
        order by snapshots.dbt_valid_from
    )

),

accounts as (

    select
        {{ surrogate_key(['bank_id', 'account_id', 'dbt_valid_from']) }}  as account_key,
        {{ surrogate_key(['bank_id']) }}                                  as bank_key,
        bank_id::text                                                     as bank_id,
        account_id::text                                                  as account_id,
        account_label::text                                               as account_label,
        account_type::text                                                as account_type,
        account_number::text                                              as account_number,
        iban::text                                                        as iban,
        rtrim(currency)::text                                             as currency_code,
        balance::numeric(18, 2)                                           as balance_amount,
        data_source::text                                                 as data_source,
        version_number::integer                                           as version_number,
        case
            when version_number = 1 then timestamptz '1900-01-01 00:00:00+00'
            else extracted_at::timestamptz
        end                                                               as valid_from,
        -- the next version's extraction; for an account gone from OBP, when the snapshot saw it go
        coalesce(next_extracted_at::timestamptz, dbt_valid_to::timestamptz,
                 timestamptz '9999-12-31 00:00:00+00')                    as valid_to,
        (dbt_valid_to is null)                                            as is_current,
        is_active_at_obp                                                  as is_active,
        last_seen_at_obp                                                  as last_seen_at,
        dbt_valid_from::timestamptz                                       as recorded_at,
        extracted_at::timestamptz                                         as extracted_at,
        load_id::uuid                                                     as load_id,
        persona::text                                                     as persona,
        account_kind::text                                                as account_kind,
        country_code::text                                                as country_code,
        timezone::text                                                    as timezone,
        overdraft_limit_amount::numeric(18, 2)                            as overdraft_limit_amount,
        transactions_per_day::numeric(8, 3)                               as transactions_per_day
    from versions

),

unknown_member as (

    select
        {{ unknown_key() }}::text                   as account_key,
        {{ unknown_key() }}::text                   as bank_key,
        'UNKNOWN'::text                             as bank_id,
        'UNKNOWN'::text                             as account_id,
        'Unknown account'::text                     as account_label,
        null::text                                  as account_type,
        null::text                                  as account_number,
        null::text                                  as iban,
        null::text                                  as currency_code,
        null::numeric(18, 2)                        as balance_amount,
        null::text                                  as data_source,
        1                                           as version_number,
        timestamptz '1900-01-01 00:00:00+00'        as valid_from,
        timestamptz '9999-12-31 00:00:00+00'        as valid_to,
        -- not an account: counting current accounts must not count it
        false                                       as is_current,
        false                                       as is_active,
        null::timestamptz                           as last_seen_at,
        null::timestamptz                           as recorded_at,
        null::timestamptz                           as extracted_at,
        null::uuid                                  as load_id,
        null::text                                  as persona,
        null::text                                  as account_kind,
        null::text                                  as country_code,
        null::text                                  as timezone,
        null::numeric(18, 2)                        as overdraft_limit_amount,
        null::numeric(8, 3)                         as transactions_per_day

)

select * from accounts
union all
select * from unknown_member
