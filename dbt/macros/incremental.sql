{#
    The incremental models fed by the loader's transactions (fct_transactions from staging,
    fraud_features from fct_transactions) are kept per account and load. A row whose
    (bank_id, account_id, load_id) the table has not seen is new. An account none of whose
    load_ids in the table is left in the source had its history replaced (a full load, or an
    account gone from raw): its rows are deleted, and all its source rows are then new. Any other
    account keeps its rows and gets its new rows appended (`load --append`: earlier rows keep
    their load_id and ids). Both models index (bank_id, account_id, load_id), so the loads of a
    table are read with a few index probes rather than a scan.
#}

{#
    The distinct (bank_id, account_id, load_id) of `relation`: with `indexed`, a skip scan over its
    (bank_id, account_id, load_id) index (one probe per distinct triple: accounts x loads); else
    one scan.
#}
{% macro account_loads(relation, indexed) %}
    {# Citus plans a recursive CTE only with a filter on the distribution column #}
    {% if indexed and not on_citus() %}
        with recursive account_loads as (
            (
                select
                    first_load.bank_id,
                    first_load.account_id,
                    first_load.load_id
                from {{ relation }} as first_load
                order by first_load.bank_id, first_load.account_id, first_load.load_id
                limit 1
            )
            union all
            select
                next_load.bank_id,
                next_load.account_id,
                next_load.load_id
            from account_loads
            cross join lateral (
                select
                    later.bank_id,
                    later.account_id,
                    later.load_id
                from {{ relation }} as later
                where (later.bank_id, later.account_id, later.load_id)
                    > (account_loads.bank_id, account_loads.account_id, account_loads.load_id)
                order by later.bank_id, later.account_id, later.load_id
                limit 1
            ) as next_load
        )

        select
            bank_id,
            account_id,
            load_id
        from account_loads
    {% else %}
        select distinct
            bank_id,
            account_id,
            load_id
        from {{ relation }}
    {% endif %}
{% endmacro %}

{#
    Pre-hook (in the model's transaction) of an incremental model kept per account and load.
    When no account keeps any of its rows (a full reload), the table is emptied with TRUNCATE (no
    dead copy of the table left behind) and its primary key and indexes are dropped, to be built
    again in bulk after the insert by rebuild_dropped_indexes(): inserting a million rows into
    seven indexes takes several times longer than building them. Otherwise the replaced accounts
    are deleted; with `ordered` (features over the account's earlier rows), so is an account whose
    new rows do not all come after its kept rows (its features are then recomputed whole).
#}
{% macro prepare_incremental_by_account(source_relation, source_indexed, ordered=false) %}
    {% if is_incremental() %}
        do $prepare$
        begin
            create temporary table load_states on commit drop as
            select
                coalesce(seen.bank_id, source_loads.bank_id)        as bank_id,
                coalesce(seen.account_id, source_loads.account_id)  as account_id,
                coalesce(seen.load_id, source_loads.load_id)        as load_id,
                seen.load_id is not null                            as is_in_table,
                source_loads.load_id is not null                    as is_in_source
            from ({{ account_loads(this, true) }}) as seen
            full join ({{ account_loads(source_relation, source_indexed) }}) as source_loads
                on
                    seen.bank_id = source_loads.bank_id
                    and seen.account_id = source_loads.account_id
                    and seen.load_id = source_loads.load_id;

            if not exists (select from load_states where is_in_table and is_in_source) then
                create temporary table dropped_indexes on commit drop as
                select format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
                    as definition
                from pg_constraint
                where conrelid = '{{ this }}'::regclass and contype = 'p'
                union all
                select pg_get_indexdef(indexrelid)
                from pg_index
                where indrelid = '{{ this }}'::regclass and not indisprimary;
                -- the primary key's index goes with its constraint
                execute coalesce((
                    select string_agg(format('alter table %s drop constraint %I', conrelid::regclass, conname), '; ')
                    from pg_constraint
                    where conrelid = '{{ this }}'::regclass and contype = 'p'
                ), '');
                execute coalesce((
                    select string_agg(format('drop index %s', indexrelid::regclass), '; ')
                    from pg_index
                    where indrelid = '{{ this }}'::regclass
                ), '');
                truncate table {{ this }};
            else
                {% if ordered %}
                    -- the time span of each load of the accounts with new rows, from the source
                    -- alone (grouped by account, so Citus runs it on the account's worker)
                    create temporary table load_bounds on commit drop as
                    select
                        bounded.bank_id,
                        bounded.account_id,
                        bounded.load_id,
                        min(bounded.transacted_at) as first_transacted_at,
                        max(bounded.transacted_at) as last_transacted_at
                    from {{ source_relation }} as bounded
                    where (bounded.bank_id, bounded.account_id) in (
                        select
                            with_new.bank_id,
                            with_new.account_id
                        from load_states as with_new
                        where with_new.is_in_source and not with_new.is_in_table
                    )
                    group by bounded.bank_id, bounded.account_id, bounded.load_id;
                {% endif %}
                delete from {{ this }} as target
                where (target.bank_id, target.account_id) in (
                    -- replaced: none of the account's loads in the table is left in the source
                    select
                        replaced.bank_id,
                        replaced.account_id
                    from load_states as replaced
                    where replaced.is_in_table
                    group by replaced.bank_id, replaced.account_id
                    having not bool_or(replaced.is_in_source)
                    {% if ordered %}
                        union all
                        -- new rows at or before one of the account's kept rows
                        select
                            fresh.bank_id,
                            fresh.account_id
                        from load_bounds as fresh
                        inner join load_states as fresh_state
                            on
                                fresh.bank_id = fresh_state.bank_id
                                and fresh.account_id = fresh_state.account_id
                                and fresh.load_id = fresh_state.load_id
                        inner join load_bounds as kept
                            on
                                fresh.bank_id = kept.bank_id
                                and fresh.account_id = kept.account_id
                        inner join load_states as kept_state
                            on
                                kept.bank_id = kept_state.bank_id
                                and kept.account_id = kept_state.account_id
                                and kept.load_id = kept_state.load_id
                        where
                            not fresh_state.is_in_table
                            and kept_state.is_in_table
                            and kept.last_transacted_at >= fresh.first_transacted_at
                    {% endif %}
                );
            end if;
        end
        $prepare$
    {% endif %}
{% endmacro %}

{#
    Post-hook (in the model's transaction, after the insert): the primary key and indexes that
    prepare_incremental_by_account() dropped, built again under their own names.
#}
{% macro rebuild_dropped_indexes() %}
    {% if is_incremental() %}
        do $rebuild$
        declare
            dropped record;
        begin
            if to_regclass('pg_temp.dropped_indexes') is not null then
                for dropped in select definition from pg_temp.dropped_indexes loop
                    execute dropped.definition;
                end loop;
                drop table pg_temp.dropped_indexes;
            end if;
        end
        $rebuild$
    {% endif %}
{% endmacro %}

{#
    The (bank_id, account_id, load_id) of `source_relation` (indexed like this table) that this
    table has not seen: the new loads of each account, read through both indexes.
#}
{% macro unseen_loads(source_relation) %}
    ({{ account_loads(source_relation, true) }})
    except all
    ({{ account_loads(this, true) }})
{% endmacro %}

{#
    The filter of an incremental model kept per account and load: on an incremental run, the rows
    of `source_relation` whose (bank_id, account_id, load_id) this table has not seen (after the
    pre-hook, every row of a replaced account); nothing is filtered on a full build. An indexed
    source is read through its index, for the new loads only; another in one scan.
#}
{% macro where_load_unseen(source_relation, source_indexed) %}
    {% if is_incremental() and source_indexed %}
        where (bank_id, account_id, load_id) in ({{ unseen_loads(source_relation) }})
    {% elif is_incremental() %}
        where (bank_id, account_id, load_id) not in ({{ account_loads(this, true) }})
    {% endif %}
{% endmacro %}

{#
    Pre-hook of fct_account_daily_balances: rows of an account no longer in `activity_relation`,
    before its first day there, or after the last day in the warehouse go (a full build would not
    have them); the model then rebuilds what changed.
#}
{% macro delete_balances_outside_activity(activity_relation) %}
    {% if is_incremental() %}
        with bounds as (
            select
                bank_id,
                account_id,
                min(activity_day)                    as first_day,
                max(max(activity_day)) over ()       as last_day
            from {{ activity_relation }}
            group by
                bank_id,
                account_id
        )

        delete from {{ this }} as kept
        where not exists (
            select
            from bounds
            where
                bounds.bank_id = kept.bank_id
                and bounds.account_id = kept.account_id
                and kept.balance_date between bounds.first_day and bounds.last_day
        )
    {% endif %}
{% endmacro %}

{#
    Incremental strategy `account_days`: the model returns, for each account it rebuilds, every
    day from the first one it rebuilds; the table's days of that account from there on are
    replaced by them, its earlier days kept.
#}
{% macro get_incremental_account_days_sql(arg_dict) %}
    delete from {{ arg_dict['target_relation'] }} as target
    using (
        select
            bank_id,
            account_id,
            min(balance_date) as build_from
        from {{ arg_dict['temp_relation'] }}
        group by
            bank_id,
            account_id
    ) as built
    where
        target.bank_id = built.bank_id
        and target.account_id = built.account_id
        and target.balance_date >= built.build_from;

    {{ get_incremental_append_sql(arg_dict) }}
{% endmacro %}
