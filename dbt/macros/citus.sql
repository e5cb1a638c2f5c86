{#
    Post-hook of the mart tables, after name_constraints_and_indexes(); a no-op unless the
    warehouse is a Citus coordinator (the citus extension is there). Facts, the marts with an
    account_id that are not dimensions, are hash-distributed by account_id and co-located with
    raw.transactions, so building them, their incremental delete+insert by account and their
    per-account windows run on the worker that holds the account. Every other mart table
    (dimensions, the date spine) becomes a reference table: a copy on each node, joined locally.
    Citus wants the distribution column in each unique key, so a fact's primary key becomes
    (account_id, <its key>) there; the key's own `unique` test still checks it alone.
    dbt replaces a table mart on every run (a new, local table) and this places it again;
    an incremental fact stays placed.
#}
{% macro citus_place() %}
    {% if execute and model.config.materialized in ('table', 'incremental') %}
        {% set distributed = 'account_id' in model.columns and not model.name.startswith('dim_') %}
        do $citus$
        declare
            target regclass := '{{ this }}'::regclass;
            placed boolean;
            primary_key record;
        begin
            if not exists (select from pg_extension where extname = 'citus') then
                return;
            end if;
            execute 'select exists (select from pg_dist_partition where logicalrelid = $1)' into placed using target;
            if placed then
                return;
            end if;
            {% if distributed %}
                select
                    constraints.conname,
                    string_agg(quote_ident(attributes.attname), ', ' order by keys.position) as key_columns
                into primary_key
                from pg_constraint as constraints
                cross join lateral unnest(constraints.conkey) with ordinality as keys (attnum, position)
                inner join pg_attribute as attributes
                    on attributes.attrelid = constraints.conrelid and attributes.attnum = keys.attnum
                where constraints.conrelid = target and constraints.contype = 'p'
                group by constraints.conname;
                if primary_key.conname is not null and primary_key.key_columns <> 'account_id' then
                    execute format('alter table %s drop constraint %I', target, primary_key.conname);
                    execute format('alter table %s add constraint %I primary key (account_id, %s)', target, primary_key.conname, primary_key.key_columns);
                end if;
                perform create_distributed_table(target::text, 'account_id', colocate_with => 'raw.transactions');
            {% else %}
                perform create_reference_table(target::text);
            {% endif %}
            -- the rows now live in the shards; the coordinator's local copy is dead weight
            perform truncate_local_data_after_distributing_table(target);
        end
        $citus$
    {% endif %}
{% endmacro %}

{#
    True when the warehouse is a Citus coordinator (the citus extension is there): some plans are
    not available on distributed tables. False at parse time and for sqlfluff, which render
    without a connection.
#}
{% macro on_citus() %}
    {% if not execute %}
        {{ return(false) }}
    {% endif %}
    {% set found = run_query("select exists (select from pg_extension where extname = 'citus') as found") %}
    {{ return(found.columns[0].values()[0]) }}
{% endmacro %}
