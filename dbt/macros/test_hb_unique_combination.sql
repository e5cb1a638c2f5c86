{#
    Rows whose combination of `columns` occurs more than once: the uniqueness of a composite key
    (dbt_utils has this test; dbt packages cannot be installed here).
#}
{% test hb_unique_combination(model, columns) %}

SELECT
    {{ columns | join(', ') }},
    count(*) AS occurrences
FROM {{ model }}
GROUP BY {{ columns | join(', ') }}
HAVING count(*) > 1

{% endtest %}
