{#-
    Nothing lost, nothing doubled: every raw table has exactly as many rows as its base model (each raw
    row gets one disposition there). Counted against the raw table itself (or the connector adapter that
    stands for it, raw_table()), so a base model that missed or repeated rows fails the build;
    raw_row_counts then says where rows went.
-#}
{%- set tables = raw_tables() -%}
-- The union is generated from raw_tables(); sqlfluff measures indentation on the rendered loop.
-- noqa: disable=LT02
with

{{ base_model_ctes() }}
{%- for source_name, table_name in tables -%}
raw_{{ source_name }}__{{ table_name }} as (
    select * from {{ raw_table(source_name, table_name) }}
),

{% endfor -%}

counted as (
    {%- for source_name, table_name in tables %}
    select
        'raw_{{ source_name }}.{{ table_name }}' as source_table,
        (select count(*) from raw_{{ source_name }}__{{ table_name }}) as raw_rows,
        (select count(*) from {{ source_name }}__{{ table_name }}) as base_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from counted
where raw_rows <> base_rows
