-- One row per calendar day, whole years around the transactions' span.
WITH bounds AS (

    SELECT
        date_trunc('year', min(transaction_day))::date                             AS first_day,
        (date_trunc('year', max(transaction_day)) + INTERVAL '1 year - 1 day')::date AS last_day
    FROM {{ ref('stg_synthetic__transactions') }}

),

days AS (

    SELECT day::date AS date_day
    FROM bounds
    CROSS JOIN LATERAL generate_series(bounds.first_day, bounds.last_day, INTERVAL '1 day') AS day

)

SELECT
    to_char(date_day, 'YYYYMMDD')::integer              AS date_key,
    date_day                                            AS date_day,
    extract(year FROM date_day)::integer                AS year_number,
    extract(quarter FROM date_day)::integer             AS quarter_number,
    extract(month FROM date_day)::integer               AS month_number,
    trim(to_char(date_day, 'Month'))::text              AS month_name,
    to_char(date_day, 'YYYY-MM')::text                  AS year_month,
    extract(day FROM date_day)::integer                 AS day_of_month,
    extract(isodow FROM date_day)::integer              AS iso_day_of_week,
    trim(to_char(date_day, 'Day'))::text                AS day_name,
    extract(week FROM date_day)::integer                AS iso_week_number,
    extract(isodow FROM date_day) IN (6, 7)             AS is_weekend,
    date_trunc('month', date_day)::date                 AS month_start_date
FROM days
