{#
    Post-hook of the mart tables, run after dbt has swapped the new table in and dropped the old
    one: dbt creates a table as `<name>__dbt_tmp`, so its primary key is called
    `<name>__dbt_tmp_pkey` (and on PostgreSQL 18 its NOT NULL constraints
    `<name>__dbt_tmp_<column>_not_null`), and its indexes get random md5 names. Clean names —
    `<name>_pkey`, `<name>_<column>_not_null`, `<name>__<columns>_idx` — are what a DBA and a BI
    tool's schema browser should see.
#}
{% macro name_constraints_and_indexes() %}
    {% if execute and model.config.materialized in ('table', 'incremental') %}
        do $naming$
        declare
            target regclass := '{{ this }}'::regclass;
            found record;
            wanted text;
        begin
            for found in
                select conname from pg_constraint
                where conrelid = target and contype = 'p' and conname <> '{{ this.identifier }}_pkey'
            loop
                execute format('alter table %s rename constraint %I to %I', target, found.conname, '{{ this.identifier }}_pkey');
            end loop;
            -- PostgreSQL 18 names NOT NULL constraints too (`<name>__dbt_tmp_<column>_not_null`)
            for found in
                select conname from pg_constraint
                where conrelid = target and contype in ('n', 'c', 'u') and position('__dbt_tmp' in conname) > 0
            loop
                execute format('alter table %s rename constraint %I to %I', target, found.conname, replace(found.conname, '__dbt_tmp', ''));
            end loop;
            for found in
                select
                    index_class.oid::regclass::text as index_name,
                    index_class.relname,
                    (select string_agg(attribute.attname, '_' order by key.position)
                     from unnest(ix.indkey) with ordinality as key (attnum, position)
                     inner join pg_attribute as attribute
                         on attribute.attrelid = ix.indrelid and attribute.attnum = key.attnum) as columns
                from pg_index as ix
                inner join pg_class as index_class on ix.indexrelid = index_class.oid
                where ix.indrelid = target and not ix.indisprimary
            loop
                wanted := left('{{ this.identifier }}__' || found.columns || '_idx', 63);
                if found.relname <> wanted and to_regclass(format('%I.%I', '{{ this.schema }}', wanted)) is null then
                    execute format('alter index %s rename to %I', found.index_name, wanted);
                end if;
            end loop;
        end
        $naming$
    {% endif %}
{% endmacro %}

{#
    on-run-start: no foreign key in schema marts while dbt rebuilds it. Replacing a dimension
    drops the keys that reference it (CASCADE) and so locks the facts; with facts and dimensions
    rebuilt in parallel threads, those locks deadlock. declare_foreign_keys() puts them back.
#}
{% macro drop_foreign_keys() %}
    {% if execute and flags.WHICH in ('run', 'build') %}
        do $fk$
        declare
            found record;
        begin
            -- through pg_class: on a Citus coordinator that hides the shards of reference tables
            -- it keeps a copy of (their keys go with their table's)
            for found in
                select pg_constraint.conrelid::regclass::text as table_name, pg_constraint.conname
                from pg_constraint
                inner join pg_class on pg_constraint.conrelid = pg_class.oid
                where pg_constraint.connamespace = to_regnamespace('{{ generate_schema_name('marts', none) }}')
                    and pg_constraint.contype = 'f'
            loop
                execute format('alter table %s drop constraint %I', found.table_name, found.conname);
            end loop;
        end
        $fk$
    {% endif %}
{% endmacro %}

{#
    on-run-end: the FOREIGN KEYs of the mart tables, declared from their `relationships` tests to
    dimensions (`dim_*`), so BI tools (Metabase, Superset, Tableau) see the joins. PostgreSQL
    drops a foreign key when the table it references is dropped, and dbt replaces every dimension
    table on every run, so the keys are declared again after each run, named `<table>_<column>_fkey`.
    NOT VALID: the relationships tests of the same build check the existing rows; PostgreSQL
    still enforces the keys on every later write.
#}
{% macro declare_foreign_keys() %}
    {% set statements = [] %}
    {% if execute and flags.WHICH in ('run', 'build') %}
        {% for test in graph.nodes.values()
            if test.resource_type == 'test'
            and test.test_metadata
            and test.test_metadata.name == 'relationships'
            and test.attached_node %}
            {% set child = graph.nodes.get(test.attached_node) %}
            {% set parents = test.depends_on.nodes | reject('equalto', test.attached_node) | list %}
            {% set parent = graph.nodes.get(parents[0]) if parents | length == 1 else none %}
            {% if child and parent
                and child.config.materialized in ('table', 'incremental')
                and child.schema == 'marts'
                and parent.name.startswith('dim_') %}
                {% set column = test.column_name %}
                {% set field = test.test_metadata.kwargs.field %}
                {% set name = child.alias ~ '_' ~ column ~ '_fkey' %}
                {% do statements.append(
                    "do $fk$ begin"
                    ~ " if to_regclass('" ~ child.relation_name ~ "') is not null"
                    ~ " and to_regclass('" ~ parent.relation_name ~ "') is not null"
                    ~ " and not exists (select from pg_constraint where conrelid = to_regclass('" ~ child.relation_name ~ "')"
                    ~ " and conname = '" ~ name ~ "') then"
                    ~ " alter table " ~ child.relation_name ~ " add constraint " ~ name
                    ~ " foreign key (" ~ column ~ ") references " ~ parent.relation_name ~ " (" ~ field ~ ") not valid;"
                    ~ " end if; end $fk$"
                ) %}
            {% endif %}
        {% endfor %}
    {% endif %}
    {{ return(statements | join(';\n')) }}
{% endmacro %}
