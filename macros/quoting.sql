{#- The one way a value from a var, a file or the environment reaches SQL as a string literal: quotes are
    doubled (and backslashes, which Spark's parser reads as escapes), so the value can never end the
    literal. Identifiers from vars are validated as plain names by validate_vars() instead. -#}
{% macro sql_literal(value) -%}
  {{ return(adapter.dispatch('sql_literal', 'revenue_warehouse')(value)) }}
{%- endmacro %}

{% macro default__sql_literal(value) -%}
  '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_literal(value) -%}
  '{{ value | string | replace("\\", "\\\\") | replace("'", "''") }}'
{%- endmacro %}


{#- Now, as source freshness measures it: the database's clock, or (environment variable WAREHOUSE_TODAY,
    YYYY-MM-DD, the warehouse's one calendar override, read by the Python tooling too) that date at the
    current UTC time of day, so tests and demos judge freshness against the day they say it is. -#}
{% macro warehouse_now() -%}
  {%- set today = env_var('WAREHOUSE_TODAY', '') -%}
  {%- if not today -%}
    {{ current_timestamp() }}
  {%- else -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', today) -%}
      {{ exceptions.raise_compiler_error("WAREHOUSE_TODAY must be a date like 2026-12-06, got " ~ today) }}
    {%- endif -%}
    cast({{ sql_literal(today ~ ' ' ~ modules.datetime.datetime.utcnow().strftime('%H:%M:%S')) }} as timestamp)
  {%- endif -%}
{%- endmacro %}


{#- dbt's own collect_freshness with the clock above (dispatch searches this project first). -#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
  {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
    select
      max({{ loaded_at_field }}) as max_loaded_at,
      {{ warehouse_now() }} as snapshotted_at
    from {{ source }}
    {% if filter %}
    where {{ filter }}
    {% endif %}
  {% endcall %}
  {{ return(load_result('collect_freshness')) }}
{% endmacro %}
