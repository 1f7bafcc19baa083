{#-
    Every raw row that breaks the raw contract, with the table it came from, its record id, the reason
    and the raw row as loaded (JSON text). Nothing is dropped silently: see raw_row_counts.
    Rows from raw_hr can carry compensation: this table stays in the private build file.
-#}
{%- set tables = raw_tables() -%}
-- The union is generated from raw_tables(); sqlfluff measures indentation on the rendered loop.
-- noqa: disable=LT02
with

{{ base_model_ctes() }}

unioned as (
    {%- for source_name, table_name in tables %}
    select
        'raw_{{ source_name }}.{{ table_name }}' as source_table,
        _record_id as record_id,
        quarantine_reason as reason,
        _raw_row as raw_row,
        _loaded_at as loaded_at
    from {{ source_name }}__{{ table_name }}
    where _disposition = 'quarantined'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unioned
