{#
    The key of dim_date for a day: the day as an integer YYYYMMDD. Facts compute their date
    keys with it, so they always match dim_date.
#}
{% macro date_key(day) -%}
    to_char({{ day }}, 'YYYYMMDD')::integer
{%- endmacro %}

{# Saturday or Sunday (ISO days 6 and 7) for a date or a local timestamp. #}
{% macro is_weekend(day) -%}
    (extract(isodow from {{ day }}) in (6, 7))
{%- endmacro %}
