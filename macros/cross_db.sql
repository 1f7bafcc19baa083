{#-
    Engine-specific pieces, dispatched (dbt's `dispatch` search order puts this project first, so these
    override dbt's defaults where an adapter lacks its own).
-#}

{#- dbt-duckdb keeps dbt's default safe_cast, a plain cast that fails the query on bad text. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
