-- One row per transaction type: the profile's types (seed transaction_types) and any other type
-- seen in the data, whose direction is then taken from the sign of most of its amounts.
with profile_types as (

    select
        transaction_type,
        direction
    from {{ ref('transaction_types') }}

),

observed_types as (

    select
        transaction_type,
        count(*) filter (where amount < 0)  as debit_count,
        count(*) filter (where amount > 0)  as credit_count
    from {{ ref('stg_synthetic__transactions') }}
    group by transaction_type

),

all_types as (

    select
        coalesce(profile_types.transaction_type, observed_types.transaction_type)  as transaction_type,
        profile_types.direction                                                   as profile_direction,
        observed_types.debit_count,
        observed_types.credit_count
    from profile_types
    full outer join observed_types
        on profile_types.transaction_type = observed_types.transaction_type

)

select
    {{ surrogate_key(['transaction_type']) }}                    as transaction_type_key,
    transaction_type::text                                      as transaction_type,
    coalesce(
        profile_direction,
        case when debit_count >= credit_count then 'debit' else 'credit' end
    )::text                                                     as direction,
    case
        when profile_direction is not null then 'profile'
        else 'amount_sign'
    end::text                                                   as direction_source
from all_types
