{#
    Pre-hook of the mart tables, in the model's transaction (SET LOCAL: the setting ends with it,
    so nothing leaks into the next node on the same connection): sorts, hashes and the index
    builds of a million-row fact in memory. PostgreSQL's defaults (4MB, 64MB) spill the window
    sorts of fraud_features to disk and build each of the fact's indexes in several passes.
#}
{% macro set_build_memory() %}
    set local work_mem = '64MB';
    set local maintenance_work_mem = '512MB'
{% endmacro %}
