{#
    Custom schemas are used as they are (marts, staging, snapshots, ...), not prefixed with the
    target schema as dbt does by default: BI users and the reader role rely on the exact name
    `marts`. Models without a custom schema land in the target schema (DBT_PG_SCHEMA).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
