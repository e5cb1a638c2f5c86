{#
    How the data tests stay cheap on a million transactions without giving up what they check.

    1. `unique` (dbt's built-in test, its PostgreSQL implementation replaced here): when
       PostgreSQL itself guarantees the column's uniqueness — a valid unique index (a primary key)
       on that column alone — the test's scan is skipped at run time (the catalog lookup is an
       InitPlan, PostgreSQL's one-time filter); without such an index (a view, a key someone
       dropped) and on Citus (whose keys include the distribution column) it groups every row.

    2. `relationships`: when the child column leads a btree index of the child table, its distinct
       values are read with a loose index scan (one index probe per distinct value, a few hundred
       for the fact's keys) instead of scanning every row; every row is still covered. Otherwise
       (no such index, Citus, a `where`-filtered child) dbt's own SQL.

    3. Tests configured with `where: "__untested_loads__"` (row-level checks of the incremental
       models kept per account and load, macros/incremental.sql) check only the rows of loads not
       yet tested in this very table: record_tested_loads() (on-run-end) records a table's loads
       once every such test on it has passed, keyed by the table's oid, so a rebuilt or replaced
       table is tested whole, and a failing test keeps failing until its rows are fixed or gone.
       A `--full-refresh` build, `--vars '{test_all_rows: true}'` and Citus test every row.
#}

{% macro postgres__test_unique(model, column_name) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
    {%- if model is not string and not on_citus() %}
    {#- Citus runs the query on its workers, where the catalog is not the coordinator's; its keys
        include the distribution column anyway #}
    and not {{ unique_index_exists(model, column_name) }}
    {%- endif %}
group by {{ column_name }}
having count(*) > 1
{% endmacro %}

{# True (in SQL) when a valid unique btree index of `relation` has `column_name` as its only key. #}
{% macro unique_index_exists(relation, column_name) -%}
    exists (
        select
        from pg_catalog.pg_index as unique_index
        inner join pg_catalog.pg_attribute as key_column
            on
                unique_index.indrelid = key_column.attrelid
                and unique_index.indkey[0] = key_column.attnum
        where
            unique_index.indrelid = to_regclass('{{ relation.include(database=false) }}')
            and unique_index.indisunique
            and unique_index.indisvalid
            and unique_index.indnkeyatts = 1
            and unique_index.indpred is null
            and unique_index.indexprs is null
            and key_column.attname = '{{ column_name }}'
    )
{%- endmacro %}

{% macro postgres__test_relationships(model, column_name, to, field) %}
    {% if model is not string and leads_btree_index(model, column_name) %}
        with recursive child_values as (
            (
                select {{ column_name }} as from_field
                from {{ model }}
                where {{ column_name }} is not null
                order by {{ column_name }}
                limit 1
            )
            union all
            select (
                select later.{{ column_name }}
                from {{ model }} as later
                where later.{{ column_name }} > child_values.from_field
                order by later.{{ column_name }}
                limit 1
            )
            from child_values
            where child_values.from_field is not null
        ),

        parent as (
            select {{ field }} as to_field
            from {{ to }}
        )

        select child_values.from_field
        from child_values
        left join parent
            on child_values.from_field = parent.to_field
        where
            child_values.from_field is not null
            and parent.to_field is null
    {% else %}
        {{ dbt.default__test_relationships(model, column_name, to, field) }}
    {% endif %}
{% endmacro %}

{# Whether `column_name` is the first key of a valid btree index of `relation` (never on Citus). #}
{% macro leads_btree_index(relation, column_name) %}
    {% if not execute or on_citus() %}
        {{ return(false) }}
    {% endif %}
    {% set found = run_query(
        "select exists (select from pg_catalog.pg_index as ix"
        ~ " inner join pg_catalog.pg_class as index_class on ix.indexrelid = index_class.oid"
        ~ " inner join pg_catalog.pg_am as am on index_class.relam = am.oid"
        ~ " inner join pg_catalog.pg_attribute as key_column on ix.indrelid = key_column.attrelid and ix.indkey[0] = key_column.attnum"
        ~ " where ix.indrelid = to_regclass('" ~ relation.include(database=false) ~ "')"
        ~ " and ix.indisvalid and ix.indpred is null and am.amname = 'btree'"
        ~ " and key_column.attname = '" ~ column_name ~ "') as found"
    ) %}
    {{ return(found.columns[0].values()[0]) }}
{% endmacro %}

{# Every row is tested: a full refresh, `--vars '{test_all_rows: true}'`, or Citus. #}
{% macro test_all_rows() %}
    {{ return(flags.FULL_REFRESH or var('test_all_rows', false) or on_citus()) }}
{% endmacro %}

{# The table of the loads tested per table (oid): in the target schema, out of the readers' marts. #}
{% macro tested_loads_table() -%}
    {{ target.schema }}.tested_loads
{%- endmacro %}

{#
    The rows of `relation` (indexed on (bank_id, account_id, load_id)) of loads not yet tested in
    it: a relation for a from clause. Every row when none of its loads is tested (a new or rebuilt
    table, a full refresh, Citus, `test_all_rows`); else the untested loads' rows, fetched
    through that index (the lateral subquery, kept apart by `offset 0`, makes it an index probe
    per load rather than a scan of the table).
#}
{% macro untested_rows(relation) -%}
    {% if test_all_rows() or not any_load_tested(relation) %}
        {{ relation }}
    {% else %}
        (
            select untested_rows.*
            from ({{ account_loads(relation, true) }}) as untested
            cross join lateral (
                select *
                from {{ relation }} as loaded
                where
                    loaded.bank_id = untested.bank_id
                    and loaded.account_id = untested.account_id
                    and loaded.load_id = untested.load_id
                offset 0
            ) as untested_rows
            where untested.load_id not in (
                select tested.load_id
                from {{ tested_loads_table() }} as tested
                where tested.relation_oid = to_regclass('{{ relation.include(database=false) }}')
            )
        )
    {% endif %}
{%- endmacro %}

{# Whether some load of `relation` is recorded as tested. #}
{% macro any_load_tested(relation) %}
    {% if not execute %}
        {{ return(true) }}
    {% endif %}
    {% set found = run_query(
        "select exists (select from " ~ tested_loads_table() ~ " as tested"
        ~ " where tested.relation_oid = to_regclass('" ~ relation.include(database=false) ~ "')) as found"
    ) %}
    {{ return(found.columns[0].values()[0]) }}
{% endmacro %}

{# A test's `where: "__untested_loads__"`, resolved when the test runs; any other where as dbt does it. #}
{% macro postgres__get_where_subquery(relation) -%}
    {% if config.get('where', '') == '__untested_loads__' %}
        {% do return(untested_rows(relation) ~ ' as dbt_subquery') %}
    {% else %}
        {% do return(dbt.default__get_where_subquery(relation)) %}
    {% endif %}
{%- endmacro %}

{# on-run-start: the table of tested loads, without the entries of tables dropped since. #}
{% macro prepare_tested_loads() %}
    {% if execute %}
        create schema if not exists {{ target.schema }};
        create table if not exists {{ tested_loads_table() }} (
            relation_oid oid not null,
            load_id uuid not null,
            tested_at timestamptz not null default now(),
            primary key (relation_oid, load_id)
        );
        delete from {{ tested_loads_table() }} as tested
        where not exists (select from pg_catalog.pg_class where pg_class.oid = tested.relation_oid)
    {% endif %}
{% endmacro %}

{#
    on-run-end: for each model whose tests scoped to untested loads all ran and passed in this
    invocation, its loads (as they are now: nothing writes a model after its tests) are tested.
#}
{% macro record_tested_loads() %}
    {% set statements = [] %}
    {% if execute and flags.WHICH in ('build', 'test') and not on_citus() %}
        {% set passed = {} %}
        {% for result in results %}
            {% do passed.update({result.node.unique_id: result.status == 'pass'}) %}
        {% endfor %}
        {# the incremental models kept per account and load (macros/incremental.sql) #}
        {% for model in graph.nodes.values()
            if model.resource_type == 'model'
            and model.config.materialized == 'incremental'
            and 'load_id' in model.columns %}
            {% set scope = namespace(tests=0, passed=true) %}
            {% for test in graph.nodes.values()
                if test.resource_type == 'test'
                and model.unique_id in test.depends_on.nodes
                and (test.config.where == '__untested_loads__' or 'untested_rows(' in test.raw_code) %}
                {% set scope.tests = scope.tests + 1 %}
                {% if not passed.get(test.unique_id, false) %}
                    {% set scope.passed = false %}
                {% endif %}
            {% endfor %}
            {% if scope.tests > 0 and scope.passed %}
                {% set relation = api.Relation.create(schema=model.schema, identifier=model.alias) %}
                {% do statements.append(
                    "insert into " ~ tested_loads_table() ~ " (relation_oid, load_id)"
                    ~ " select distinct to_regclass('" ~ relation.include(database=false) ~ "'), loads.load_id"
                    ~ " from (" ~ account_loads(relation, true) ~ ") as loads"
                    ~ " on conflict do nothing"
                ) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    {{ return(statements | join(';\n')) }}
{% endmacro %}
