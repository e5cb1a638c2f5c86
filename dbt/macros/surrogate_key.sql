{#
    md5 of the given columns, each cast to text and NULL made explicit, joined by a separator that
    cannot occur in the values by accident. Stable across runs, so facts keep pointing at the
    same dimension rows when a dimension table is rebuilt.
#}
{% macro surrogate_key(columns) -%}
    md5(
        {%- for column in columns %}
        coalesce(cast({{ column }} as text), '_hb_null_')
        {%- if not loop.last %} || '|' ||{% endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#
    The key of the "unknown" member that every dimension carries, so a fact row whose dimension
    value is missing still joins (inner joins in BI tools do not silently drop it).
#}
{% macro unknown_key() -%}
    '-1'
{%- endmacro %}

{# A fact's foreign key: the dimension's key, or the unknown member's when there is no match. #}
{% macro key_or_unknown(key) -%}
    coalesce({{ key }}, {{ unknown_key() }})
{%- endmacro %}
