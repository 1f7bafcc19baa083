{#-
    Engine-specific pieces, dispatched (dbt's `dispatch` search order puts this project first, so these
    override dbt's defaults where an adapter lacks its own).
-#}

{#- dbt-duckdb keeps dbt's default safe_cast, a plain cast that fails the query on bad text. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#-
    A table expression with one row per month (column `month`, a date on the first of the month) from
    start_month to end_month inclusive; both arguments are SQL date expressions.
-#}
{% macro month_series(start_month, end_month) -%}
    {{ return(adapter.dispatch('month_series')(start_month, end_month)) }}
{%- endmacro %}

{% macro default__month_series(start_month, end_month) -%}
    (
        select cast(series.generate_series as date) as month
        from generate_series(
            cast({{ start_month }} as timestamp),
            cast({{ end_month }} as timestamp),
            interval '1 month'
        ) as series
    )
{%- endmacro %}

{% macro spark__month_series(start_month, end_month) -%}
    (
        select explode(sequence(cast({{ start_month }} as date), cast({{ end_month }} as date), interval 1 month)) as month
    )
{%- endmacro %}
