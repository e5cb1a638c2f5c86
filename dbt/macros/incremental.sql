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
                select 1
                from (select distinct load_id from {{ this }}) as seen
                where exists (select 1 from {{ source_relation }} as src where src.load_id = seen.load_id)
            ) then
                truncate table {{ this }};
            end if;
        end
        $truncate$
    {% endif %}
{% endmacro %}
