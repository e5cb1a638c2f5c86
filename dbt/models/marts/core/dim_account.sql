-- SCD2: one row per version of an OBP account (from snap_obp__accounts), plus the unknown account.
-- The first version of each account is valid from 1900-01-01: the synthetic history precedes the
-- first extraction, and its transactions belong to the account as first seen. The synthetic
-- persona (raw.account_profiles) is joined on: it belongs to the account, not to a version.
WITH versions AS (

    SELECT
        snap.*,
        row_number() OVER (
            PARTITION BY snap.bank_id, snap.account_id
            ORDER BY snap.dbt_valid_from
        ) AS version_number
    FROM {{ ref('snap_obp__accounts') }} AS snap

),

profiles AS (

    SELECT * FROM {{ ref('stg_synthetic__account_profiles') }}

),

profiled_versions AS (

    SELECT
        versions.*,
        profiles.persona,
        profiles.account_kind,
        profiles.country_code,
        profiles.timezone,
        profiles.overdraft_limit_amount,
        profiles.transactions_per_day
    FROM versions
    LEFT JOIN profiles
        ON  profiles.bank_id = versions.bank_id
        AND profiles.account_id = versions.account_id

),

accounts AS (

    SELECT
        {{ surrogate_key(['bank_id', 'account_id', 'dbt_valid_from']) }}  AS account_key,
        {{ surrogate_key(['bank_id']) }}                                  AS bank_key,
        bank_id::text                                                     AS bank_id,
        account_id::text                                                  AS account_id,
        account_label::text                                               AS account_label,
        account_type::text                                                AS account_type,
        account_number::text                                              AS account_number,
        iban::text                                                        AS iban,
        rtrim(currency)::text                                             AS currency_code,
        balance::numeric(18, 2)                                           AS balance_amount,
        data_source::text                                                 AS data_source,
        version_number::integer                                           AS version_number,
        CASE
            WHEN version_number = 1 THEN TIMESTAMPTZ '1900-01-01 00:00:00+00'
            ELSE dbt_valid_from::timestamptz
        END                                                               AS valid_from,
        coalesce(dbt_valid_to::timestamptz,
                 TIMESTAMPTZ '9999-12-31 00:00:00+00')                    AS valid_to,
        (dbt_valid_to IS NULL)                                            AS is_current,
        dbt_valid_from::timestamptz                                       AS recorded_at,
        extracted_at::timestamptz                                         AS extracted_at,
        load_id::uuid                                                     AS load_id,
        persona::text                                                     AS persona,
        account_kind::text                                                AS account_kind,
        country_code::text                                                AS country_code,
        timezone::text                                                    AS timezone,
        overdraft_limit_amount::numeric(18, 2)                            AS overdraft_limit_amount,
        transactions_per_day::numeric(8, 3)                               AS transactions_per_day
    FROM profiled_versions

),

unknown_member AS (

    SELECT
        {{ unknown_key() }}::text                   AS account_key,
        {{ unknown_key() }}::text                   AS bank_key,
        'UNKNOWN'::text                             AS bank_id,
        'UNKNOWN'::text                             AS account_id,
        'Unknown account'::text                     AS account_label,
        NULL::text                                  AS account_type,
        NULL::text                                  AS account_number,
        NULL::text                                  AS iban,
        NULL::text                                  AS currency_code,
        NULL::numeric(18, 2)                        AS balance_amount,
        NULL::text                                  AS data_source,
        1                                           AS version_number,
        TIMESTAMPTZ '1900-01-01 00:00:00+00'        AS valid_from,
        TIMESTAMPTZ '9999-12-31 00:00:00+00'        AS valid_to,
        TRUE                                        AS is_current,
        NULL::timestamptz                           AS recorded_at,
        NULL::timestamptz                           AS extracted_at,
        NULL::uuid                                  AS load_id,
        NULL::text                                  AS persona,
        NULL::text                                  AS account_kind,
        NULL::text                                  AS country_code,
        NULL::text                                  AS timezone,
        NULL::numeric(18, 2)                        AS overdraft_limit_amount,
        NULL::numeric(8, 3)                         AS transactions_per_day

)

SELECT * FROM accounts
UNION ALL
SELECT * FROM unknown_member
