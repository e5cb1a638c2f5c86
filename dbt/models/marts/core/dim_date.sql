-- One row per calendar day of the time spine, with calendar and ISO 8601 week attributes.
-- Around New Year a day can belong to the ISO week of another year: iso_year says which.
with days as (

    select date_day from {{ ref('time_spine_daily') }}

)

select
    {{ date_key('date_day') }}                          as date_key,
    date_day,
    extract(year from date_day)::integer                as year_number,
    extract(quarter from date_day)::integer             as quarter_number,
    extract(month from date_day)::integer               as month_number,
    trim(to_char(date_day, 'Month'))::text              as month_name,
    to_char(date_day, 'YYYY-MM')::text                  as year_month,
    extract(day from date_day)::integer                 as day_of_month,
    extract(isodow from date_day)::integer              as iso_day_of_week,
    trim(to_char(date_day, 'Day'))::text                as day_name,
    extract(isoyear from date_day)::integer             as iso_year,
    extract(week from date_day)::integer                as iso_week,
    to_char(date_day, 'IYYY-"W"IW')::text               as iso_year_week,
    date_trunc('week', date_day)::date                  as week_start_date,
    {{ is_weekend('date_day') }}                        as is_weekend,
    date_trunc('month', date_day)::date                 as month_start_date
from days
