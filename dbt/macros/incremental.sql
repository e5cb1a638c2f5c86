{#
    Pre-hook of an incremental model that the loader's data replaces account by account: when
    none of the load_ids in the table is left in `source_relation`, every account was reloaded
    and the table is emptied (TRUNCATE, in the model's transaction) before the incremental step,
    which then inserts everything. Deleting every row instead would leave a dead copy of the
    whole table behind.
#}
{% macro truncate_when_fully_replaced(source_relation) %}
    {% if is_incremental() %}
        do $truncate$
        begin
            if not exists (
                -- IN, not a correlated EXISTS (the same semi-join to PostgreSQL): Citus plans
                -- no correlated subquery over two distributed tables
                select 1
                from (select distinct load_id from {{ this }}) as seen
                where seen.load_id in (select src.load_id from {{ source_relation }} as src)
            ) then
                truncate table {{ this }};
            end if;
        end
        $truncate$
    {% endif %}
{% endmacro %}

{#
    The filter of an incremental model kept by account: on an incremental run, only the accounts
    of `source_relation` that carry a load_id this table has not seen (they were reloaded, and
    delete+insert on (bank_id, account_id) rebuilds them whole); nothing on a full build.
#}
{% macro where_account_reloaded(source_relation) %}
    {% if is_incremental() %}
        where (bank_id, account_id) in (
            select distinct
                reloaded.bank_id,
                reloaded.account_id
            from {{ source_relation }} as reloaded
            where reloaded.load_id not in (select distinct loaded.load_id from {{ this }} as loaded)
        )
    {% endif %}
{% endmacro %}
