{#-
    Where every raw row went, per raw table: rows_in = rows_staged + rows_quarantined + rows_superseded
    + rows_deleted (a test checks it). Superseded rows are older versions of a record loaded again
    (re-syncs); deleted rows are current versions soft-deleted in the source. The quarantine thresholds
    and the volume guard's rate of the build (vars) ride along for the checks. loaded_from names where the
    rows came from: the raw table itself, or the connector whose adapter stands for it (var *_source).
-#}
{%- set tables = raw_tables() -%}
-- The union is generated from raw_tables(); sqlfluff measures indentation on the rendered loop.
-- noqa: disable=LT02
with

{{ base_model_ctes() }}

unioned as (
    {%- for source_name, table_name in tables %}
    {%- set connector = chosen_connector(source_name, table_name) %}
    select
        'raw_{{ source_name }}.{{ table_name }}' as source_table,
        '{{ connector ~ " (adapter base_" ~ connector ~ "__" ~ table_name ~ ")" if connector
            else "raw_" ~ source_name ~ "." ~ table_name }}' as loaded_from,
        count(*) as rows_in,
        count(case when _disposition = 'staged' then 1 end) as rows_staged,
        count(case when _disposition = 'quarantined' then 1 end) as rows_quarantined,
        count(case when _disposition = 'superseded' then 1 end) as rows_superseded,
        count(case when _disposition = 'deleted' then 1 end) as rows_deleted,
        {{ var('quarantine_warn_rate') }} as quarantine_warn_rate,
        {{ var('quarantine_error_rate') }} as quarantine_error_rate,
        {{ var('quarantine_error_min_rows') }} as quarantine_error_min_rows,
        {{ var('volume_drop_error_rate') }} as volume_drop_error_rate
    from {{ source_name }}__{{ table_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unioned
